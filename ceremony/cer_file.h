/*
 * cer_file: how custos touches the disk.
 *
 * Every write is atomic: a temporary file in the same directory (O_EXCL,
 * O_NOFOLLOW, mode given), write, fsync, rename over the target (or link, when
 * the target must not exist yet), fsync of the directory.  A crash leaves
 * either the old file or the new one, never a mix; a failure leaves nothing.
 */
#ifndef CER_FILE_H
#define CER_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/err.h"

#define CER_FILE_MAX (64u * 1024 * 1024) /* largest file custos reads whole */

/*
 * Writes len bytes to path atomically with the given mode.  With exclusive,
 * refuses (CUSTOS_EEXIST) when path exists, and never replaces it.  Returns 0,
 * CUSTOS_EEXIST, CUSTOS_ENOSPACE or CUSTOS_EIO (detail names the file).
 */
int cer_file_write(const char *path, const void *data, size_t len, mode_t mode,
                   int exclusive) CUSTOS_WUR;

/*
 * Reads a whole regular file (no symlink followed) of at most max bytes into a
 * new malloc'd buffer (one extra NUL byte after the data).  Returns 0,
 * CUSTOS_ENOENT, CUSTOS_ETOOBIG or CUSTOS_EIO.  The caller frees *data.
 */
int cer_file_read(const char *path, size_t max, uint8_t **data, size_t *len) CUSTOS_WUR;

/* Same, into sodium_malloc'd memory for secrets; the caller sodium_free()s it. */
int cer_file_read_secret(const char *path, size_t max, uint8_t **data, size_t *len) CUSTOS_WUR;

/* Creates directory path with mode 0700; CUSTOS_EEXIST if anything is there. */
int cer_dir_create(const char *path) CUSTOS_WUR;

/* Creates the missing directories above path (mode 0700), like `mkdir -p` of its parent. */
int cer_dir_create_parents(const char *path) CUSTOS_WUR;

/* fsyncs a directory (after a rename or unlink in it). */
int cer_dir_sync(const char *dir) CUSTOS_WUR;

/* Joins dir and name into buf; CUSTOS_ETOOBIG when it does not fit. */
int cer_path_join(char *buf, size_t len, const char *dir, const char *name) CUSTOS_WUR;

/* Overwrites a file's bytes with zeros, fsyncs, and unlinks it. */
int cer_file_shred(const char *path) CUSTOS_WUR;

#endif
