/*
 * cer_export and cer_import without a CA: the file set an artifact becomes,
 * the USB writer (names checked first, read-back compared, a differing
 * read-back or a failed audit commit undoing everything, the manifest
 * extended and never corrupted), the removable-mount listing on a made-up
 * /proc/mounts and /sys, the spoken words, the QR import's line handling.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ceremony/cer_export.h"
#include "ceremony/cer_file.h"
#include "ceremony/cer_import.h"
#include "ceremony/cer_transcript.h"
#include "ceremony/cer_ur.h"
#include "harness.h"

static char tmp[] = "/tmp/custos-export-XXXXXX";

static void
path_in(char *buf, size_t len, const char *name)
{
	(void)snprintf(buf, len, "%s/%s", tmp, name);
}

/* Entries in dir other than . and .. */
static int
count_entries(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		n += e->d_name[0] != '.' || (e->d_name[1] != '\0' && strcmp(e->d_name, "..") != 0);
	if (d != NULL)
		closedir(d);
	return n;
}

/* A made-up certificate artifact: any bytes do for the writer. */
static struct cer_artifact *
fake_artifact(const char *base, size_t der_len)
{
	struct cer_artifact *a = calloc(1, sizeof(*a));
	size_t i;

	a->kind = CER_ARTIFACT_CERT;
	(void)snprintf(a->base, sizeof(a->base), "%s", base);
	a->der = malloc(der_len);
	for (i = 0; i < der_len; i++)
		a->der[i] = (uint8_t)(i * 7 + 1);
	a->der_len = der_len;
	a->pem = strdup("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
	a->pem_len = strlen(a->pem);
	a->p7b = malloc(3);
	memcpy(a->p7b, "p7b", 3);
	a->p7b_len = 3;
	return a;
}

static void
test_formats(void)
{
	unsigned f = 0;

	CHECK_EQ(cer_export_formats_parse("pem,der", &f), 0);
	CHECK_EQ(f, CER_FORMAT_PEM | CER_FORMAT_DER);
	CHECK_EQ(cer_export_formats_parse("qr-png", &f), 0);
	CHECK_EQ(cer_export_formats_parse("ur,p7b", &f), 0);
	CHECK_EQ(f, CER_FORMAT_PEM | CER_FORMAT_DER | CER_FORMAT_QR_PNG | CER_FORMAT_UR |
	                    CER_FORMAT_P7B);
	CHECK_EQ(cer_export_formats_parse("pem,,der", &f), CUSTOS_EINVAL);
	CHECK_EQ(cer_export_formats_parse("PEM", &f), CUSTOS_EINVAL);
	CHECK_EQ(cer_export_formats_parse("", &f), CUSTOS_EINVAL);
	CHECK_EQ(cer_export_default_formats(CER_ARTIFACT_CHAIN), CER_FORMAT_PEM | CER_FORMAT_P7B);
	CHECK_EQ(cer_export_default_formats(CER_ARTIFACT_CRL), CER_FORMAT_PEM | CER_FORMAT_DER);
}

static void
test_words(void)
{
	uint8_t h[32];
	char w[CER_WORDS_LEN], t[CER_TRANSCRIPT_WORDS_LEN];
	size_t i;

	for (i = 0; i < 32; i++)
		h[i] = (uint8_t)(i == 0 ? 0x00 : i == 31 ? 0xff : i);
	cer_sha256_words(h, w);
	cer_transcript_words(h, t);
	CHECK(strcmp(w, t) == 0); /* the transcripts' form, so the same hash sounds the same */
	CHECK(strncmp(w, "able ", 5) == 0);
	CHECK(strlen(w) >= 4 && strcmp(w + strlen(w) - 4, "zoom") == 0);
}

static void
test_files_of_an_artifact(void)
{
	struct cer_artifact *a = fake_artifact("cert-01", 700);
	struct cer_export *x = NULL;
	struct cer_export_qr q;
	const struct cer_export_file *f;
	size_t i;

	cer_export_qr_defaults(&q);
	q.max_version = 6;
	CHECK_EQ(cer_export_new(&x), 0);
	CHECK_EQ(cer_export_add(x, a,
	                        CER_FORMAT_PEM | CER_FORMAT_DER | CER_FORMAT_P7B |
	                                CER_FORMAT_QR_PNG | CER_FORMAT_UR,
	                        &q),
	         0);
	/* pem, der, p7b, the PEM as one QR (it fits version 6), the .ur */
	CHECK_EQ(cer_export_count(x), 5);
	f = cer_export_file(x, 4);
	CHECK(f != NULL && strcmp(f->name, "cert-01.ur") == 0);
	for (i = 0; f != NULL && i < f->len; i++)
		CHECK(f->data[i] != '\0');
	CHECK(cer_export_file(x, 5) == NULL);
	/* Twice the same artifact: the same names. */
	CHECK_EQ(cer_export_add(x, a, CER_FORMAT_PEM, &q), CUSTOS_EEXIST);
	cer_export_free(x);

	/* The DER as UR PNGs when the PEM does not fit version 3 (a bigger PEM). */
	free(a->pem);
	a->pem = malloc(400);
	memset(a->pem, 'A', 399);
	a->pem[399] = '\0';
	a->pem_len = 399;
	q.max_version = 8;
	CHECK_EQ(cer_export_new(&x), 0);
	CHECK_EQ(cer_export_add(x, a, CER_FORMAT_QR_PNG, &q), 0);
	CHECK(cer_export_count(x) > 2);
	CHECK(strstr(cer_export_file(x, 0)->name, "cert-01-ur-01-of-") ==
	      cer_export_file(x, 0)->name);
	cer_export_free(x);
	/* More than CER_EXPORT_MAX_PNG_PARTS parts: refused. */
	free(a->der);
	a->der_len = 200000;
	a->der = calloc(1, a->der_len);
	q.max_version = 5;
	CHECK_EQ(cer_export_new(&x), 0);
	CHECK_EQ(cer_export_add(x, a, CER_FORMAT_QR_PNG, &q), CUSTOS_ETOOBIG);
	q.max_version = 41;
	CHECK_EQ(cer_export_add(x, a, CER_FORMAT_PEM, &q), CUSTOS_EINVAL);
	cer_export_free(x);
	/* No PKCS#7 of a CRL; no DER of a chain. */
	a->kind = CER_ARTIFACT_CRL;
	free(a->p7b);
	a->p7b = NULL;
	cer_export_qr_defaults(&q);
	CHECK_EQ(cer_export_new(&x), 0);
	CHECK_EQ(cer_export_add(x, a, CER_FORMAT_P7B, &q), CUSTOS_EINVAL);
	a->kind = CER_ARTIFACT_CHAIN;
	CHECK_EQ(cer_export_add(x, a, CER_FORMAT_DER, &q), CUSTOS_EINVAL);
	CHECK_EQ(cer_export_count(x), 0);
	cer_export_free(x);
	cer_artifact_free(a);
	cer_artifact_free(NULL);
}

static int flip_next;

static void
flip_hook(const char *path, uint8_t *buf, size_t len)
{
	(void)path;
	if (flip_next && len > 0) {
		buf[len / 2] ^= 1;
		flip_next = 0;
	}
}

static int commit_calls;

static int
failing_commit(void *ctx)
{
	(void)ctx;
	commit_calls++;
	return custos_err_set(CUSTOS_EAUDIT, "audit log unwritable (test)");
}

static int
ok_commit(void *ctx)
{
	(void)ctx;
	commit_calls++;
	return 0;
}

static void
test_writer(void)
{
	struct cer_artifact *a = fake_artifact("cert-02", 300), *b = fake_artifact("cert-03", 50);
	struct cer_export *x = NULL, *y = NULL;
	struct cer_export_qr q;
	char dir[300], path[400], bad[300];
	uint8_t *data = NULL;
	size_t len = 0;

	cer_export_qr_defaults(&q);
	path_in(dir, sizeof(dir), "usb");
	CHECK_EQ(mkdir(dir, 0700), 0);
	CHECK_EQ(cer_export_new(&x), 0);
	CHECK_EQ(cer_export_add(x, a, 0, &q), 0);
	CHECK_EQ(cer_export_new(&y), 0);
	CHECK_EQ(cer_export_add(y, b, CER_FORMAT_DER, &q), 0);

	/* A read-back that differs: fails, and nothing is left. */
	cer_export_set_readback_hook(flip_hook);
	flip_next = 1;
	CHECK_EQ(cer_export_write(x, dir, NULL, NULL), CUSTOS_EIO);
	CHECK(strstr(custos_err_detail(), "differs from what was written") != NULL);
	CHECK(strstr(custos_err_detail(), "nothing of this export was left") != NULL);
	CHECK_EQ(count_entries(dir), 0);
	/* The audit commit fails: undone too, after the read-back. */
	commit_calls = 0;
	CHECK_EQ(cer_export_write(x, dir, failing_commit, NULL), CUSTOS_EAUDIT);
	CHECK_EQ(commit_calls, 1);
	CHECK_EQ(count_entries(dir), 0);
	/* Now it goes through: files, then the manifest. */
	CHECK_EQ(cer_export_write(x, dir, ok_commit, NULL), 0);
	CHECK_EQ(count_entries(dir), 3);
	path_in(path, sizeof(path), "usb/cert-02.der");
	CHECK_EQ(cer_file_read(path, 1000, &data, &len), 0);
	CHECK(len == 300 && data != NULL && memcmp(data, a->der, 300) == 0);
	free(data);
	/* Again: refused before writing anything. */
	CHECK_EQ(cer_export_write(x, dir, NULL, NULL), CUSTOS_EEXIST);
	/* Another artifact: the manifest grows; a failed one leaves it as it was. */
	flip_next = 1;
	CHECK_EQ(cer_export_write(y, dir, NULL, NULL), CUSTOS_EIO);
	path_in(path, sizeof(path), "usb/SHA256SUMS");
	CHECK_EQ(cer_file_read(path, 10000, &data, &len), 0);
	CHECK_EQ(len, 2 * (64 + 2 + 11 + 1)); /* the cert-02.pem and cert-02.der lines */
	free(data);
	CHECK_EQ(cer_export_write(y, dir, NULL, NULL), 0);
	CHECK_EQ(cer_file_read(path, 10000, &data, &len), 0);
	CHECK(data != NULL && strstr((char *)data, "  cert-03.der\n") != NULL &&
	      strstr((char *)data, "  cert-02.pem\n") == (char *)data + 64);
	free(data);
	cer_export_set_readback_hook(NULL);

	/* A manifest that is not one; a target that is missing, or a file. */
	path_in(bad, sizeof(bad), "bad");
	CHECK_EQ(mkdir(bad, 0700), 0);
	path_in(path, sizeof(path), "bad/SHA256SUMS");
	CHECK_EQ(cer_file_write(path, "hello\n", 6, 0644, 1), 0);
	CHECK_EQ(cer_export_write(x, bad, NULL, NULL), CUSTOS_EFORMAT);
	CHECK_EQ(count_entries(bad), 1);
	path_in(path, sizeof(path), "nope");
	CHECK_EQ(cer_export_write(x, path, NULL, NULL), CUSTOS_ENOENT);
	path_in(path, sizeof(path), "bad/SHA256SUMS");
	CHECK_EQ(cer_export_write(x, path, NULL, NULL), CUSTOS_EIO);

	/* cer_media_put never replaces. */
	CHECK_EQ(cer_media_put(dir, "cert-03.der", (const uint8_t *)"x", 1, 0644), CUSTOS_EEXIST);
	CHECK_EQ(cer_media_put(dir, "new.bin", (const uint8_t *)"x", 1, 0644), 0);
	path_in(path, sizeof(path), "usb/new.bin");
	CHECK_EQ(cer_media_read(path, 0, &data, &len), CUSTOS_ETOOBIG);
	CHECK_EQ(cer_media_read(path, 1, &data, &len), 0);
	free(data);
	cer_export_free(x);
	cer_export_free(y);
	cer_artifact_free(a);
	cer_artifact_free(b);
}

static void
write_text(const char *rel, const char *text)
{
	char path[400];
	FILE *f;

	path_in(path, sizeof(path), rel);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static void
make_dirs(const char *rel)
{
	char path[400], *p;

	path_in(path, sizeof(path), rel);
	for (p = path + strlen(tmp) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		(void)mkdir(path, 0755);
		*p = '/';
	}
	(void)mkdir(path, 0755);
}

static void
test_mounts(void)
{
	char proc[400], sys[400], link[400], target[400];
	struct cer_mount *m = NULL;
	size_t n = 0, i;
	int seen = 0;

	make_dirs("sys/block/sdb");
	make_dirs("sys/block/vda");
	make_dirs("sys/block/mmcblk0");
	make_dirs("sys/block/nvme0n1");
	make_dirs("sys/block/sdc");
	make_dirs("sys/devices/pci0000:00/usb2/2-1/host3");
	write_text("sys/block/sdb/removable", "1\n");
	write_text("sys/block/vda/removable", "0\n");
	write_text("sys/block/mmcblk0/removable", "1\n");
	write_text("sys/block/nvme0n1/removable", "0\n");
	write_text("sys/block/sdc/removable", "0\n"); /* a USB disk that says it is fixed */
	path_in(link, sizeof(link), "sys/block/sdc/device");
	path_in(target, sizeof(target), "sys/devices/pci0000:00/usb2/2-1/host3");
	CHECK_EQ(symlink(target, link), 0);
	write_text("mounts", "/dev/vda / ext4 rw,relatime 0 0\n"
	                     "proc /proc proc rw 0 0\n"
	                     "/dev/sdb1 /media/usb\\040stick vfat rw,nosuid 0 0\n"
	                     "/dev/mmcblk0p1 /media/sd ext4 ro,relatime 0 0\n"
	                     "/dev/nvme0n1p2 /data ext4 rw 0 0\n"
	                     "/dev/sdc1 /media/disk exfat rw 0 0\n"
	                     "tmpfs /tmp tmpfs rw 0 0\n"
	                     "/dev/sdb1 /media/usb\\040stick vfat ro 0 0\n");
	path_in(proc, sizeof(proc), "mounts");
	path_in(sys, sizeof(sys), "sys");
	CHECK_EQ(cer_mounts_removable(proc, sys, &m, &n), 0);
	CHECK_EQ(n, 3);
	for (i = 0; i < n; i++) {
		if (strcmp(m[i].dir, "/media/usb stick") == 0) {
			seen |= 1;
			CHECK(strcmp(m[i].device, "/dev/sdb1") == 0 &&
			      strcmp(m[i].fstype, "vfat") == 0);
			CHECK_EQ(m[i].read_only,
			         1); /* mounted again read-only: the later mount counts */
		} else if (strcmp(m[i].dir, "/media/sd") == 0) {
			seen |= 2;
			CHECK_EQ(m[i].read_only, 1);
		} else if (strcmp(m[i].dir, "/media/disk") == 0) {
			seen |= 4;
		}
	}
	CHECK_EQ(seen, 7);
	free(m);
	path_in(proc, sizeof(proc), "no-such-mounts");
	CHECK_EQ(cer_mounts_removable(proc, sys, &m, &n), CUSTOS_EIO);
	/* The real machine: whatever it has, the call works. */
	CHECK_EQ(cer_mounts_removable(NULL, NULL, &m, &n), 0);
	free(m);
}

static void
test_qr_import_lines(void)
{
	struct cer_qr_import *imp = NULL;
	uint8_t msg[100], *out = NULL;
	char *single = NULL, line[512];
	size_t len = 0, known, needed, accepted;

	memset(msg, 0x5a, sizeof(msg));
	CHECK_EQ(cer_ur_encode_single(msg, sizeof(msg), &single), 0);
	CHECK_EQ(cer_qr_import_new(&imp), 0);
	if (imp == NULL || single == NULL)
		return;
	CHECK_EQ(cer_qr_import_line(imp, "  \r\n"), 1);
	CHECK_EQ(cer_qr_import_line(imp, "QR-Code:"), 1);
	CHECK_EQ(cer_qr_import_line(imp, "hello"), CUSTOS_EFORMAT);
	CHECK_EQ(cer_qr_import_complete(imp), 0);
	CHECK_EQ(cer_qr_import_result(imp, &out, &len), CUSTOS_EINVAL);
	(void)snprintf(line, sizeof(line), "QR-Code:%s\r\n", single);
	CHECK_EQ(cer_qr_import_line(imp, line), 0);
	CHECK_EQ(cer_qr_import_line(imp, single), 0); /* a duplicate is welcome */
	cer_qr_import_progress(imp, &known, &needed, &accepted);
	CHECK(known == 1 && needed == 1 && accepted == 2);
	CHECK_EQ(cer_qr_import_complete(imp), 1);
	CHECK_EQ(cer_qr_import_result(imp, &out, &len), 0);
	CHECK(len == sizeof(msg) && out != NULL && memcmp(out, msg, len) == 0);
	free(out);
	free(single);
	cer_qr_import_free(imp);
	cer_qr_import_free(NULL);
}

static void
test_identify(void)
{
	char what[256];

	cer_identify((const uint8_t *)"-----BEGIN X-----\n", 18, what, sizeof(what));
	CHECK(strcmp(what, "PEM text") == 0);
	cer_identify((const uint8_t *)"\x30\x03\x02\x01\x01", 5, what, sizeof(what));
	CHECK(strcmp(what, "data") == 0);
	cer_identify(NULL, 0, what, sizeof(what));
	CHECK(strcmp(what, "data") == 0);
}

static void
test_csr_refusals(void)
{
	struct cer_csr_file f;
	char path[400];

	path_in(path, sizeof(path), "note.csr");
	CHECK_EQ(cer_file_write(path, "not a CSR\n", 10, 0644, 1), 0);
	CHECK_EQ(cer_import_csr(path, &f, NULL), 0); /* read: yes; a CSR: no */
	CHECK(f.status == CUSTOS_ECSR && f.parsed == 0 && f.len == 10);
	CHECK(strstr(f.detail, "certificate signing request") != NULL);
	path_in(path, sizeof(path), "missing.csr");
	CHECK_EQ(cer_import_csr(path, &f, NULL), CUSTOS_ENOENT);
	CHECK_EQ(f.status, CUSTOS_ENOENT);
}

int
main(void)
{
	char cmd[128];
	int r;

	if (mkdtemp(tmp) == NULL)
		return 1;
	RUN(test_formats);
	RUN(test_words);
	RUN(test_files_of_an_artifact);
	RUN(test_writer);
	RUN(test_mounts);
	RUN(test_qr_import_lines);
	RUN(test_identify);
	RUN(test_csr_refusals);
	r = HARNESS_END();
	(void)snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	return r;
}
