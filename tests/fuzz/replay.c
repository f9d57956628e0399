/*
 * replay: stands in for libFuzzer when a fuzz target is built without it, so
 * the normal test run feeds every seed to LLVMFuzzerTestOneInput.
 *
 *   fuzz_NAME DIR|FILE...   runs each file (a directory's regular files, in
 *                           name order); a target that finds a bug aborts.
 *
 * Each input is copied to a buffer of exactly its size, so a sanitizer build
 * catches reads past the end.  Exits 1 when an argument cannot be read or
 * when there was nothing to replay (an empty corpus tests nothing).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Runs the target over one file; returns 0, or -1 when it cannot be read. */
static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long size;
	int r = -1;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		goto out;
	if ((data = malloc(size > 0 ? (size_t)size : 1)) == NULL ||
	    fread(data, 1, (size_t)size, f) != (size_t)size)
		goto out;
	LLVMFuzzerTestOneInput(data, (size_t)size);
	r = 0;
out:
	if (r != 0)
		fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
	free(data);
	if (f != NULL)
		fclose(f);
	return r;
}

/* Runs every regular file of dir; returns how many, or -1 on a read error. */
static long
replay_dir(const char *dir)
{
	struct dirent **names;
	struct stat st;
	char path[4096];
	long count = 0;
	int n, i, len;

	if ((n = scandir(dir, &names, NULL, alphasort)) < 0) {
		fprintf(stderr, "replay: cannot list %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		len = snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (len < 0 || (size_t)len >= sizeof(path) || stat(path, &st) != 0) {
			count = -1;
		} else if (S_ISREG(st.st_mode) && names[i]->d_name[0] != '.' && count >= 0) {
			count = replay_file(path) == 0 ? count + 1 : -1;
		}
		free(names[i]);
	}
	free(names);
	return count;
}

int
main(int argc, char **argv)
{
	struct stat st;
	long total = 0, n;
	int i;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			n = replay_dir(argv[i]);
		else
			n = replay_file(argv[i]) == 0 ? 1 : -1;
		if (n < 0)
			return 1;
		printf("replayed %ld inputs from %s\n", n, argv[i]);
		total += n;
	}
	if (total == 0) {
		fprintf(stderr, "replay: no inputs (usage: %s DIR|FILE...)\n", argv[0]);
		return 1;
	}
	return 0;
}
