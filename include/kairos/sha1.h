/* sha1: SHA-1 (FIPS 180-4), used only to name things (store slugs), never
 * for security. */
#ifndef KAIROS_SHA1_H
#define KAIROS_SHA1_H

#include <stddef.h>
#include <stdint.h>

struct sha1 {
	uint32_t h[5];
	uint64_t len;
	unsigned char blk[64];
	size_t nblk;
};

void sha1_init(struct sha1 *s);
void sha1_update(struct sha1 *s, const void *p, size_t n);
void sha1_final(struct sha1 *s, unsigned char out[20]);
/* SHA-1 of p[0..n) as 40 lowercase hex digits and a NUL. */
void sha1_hex(const void *p, size_t n, char out[41]);

#endif
