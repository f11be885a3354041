/* SHA-256 (FIPS 180-4), for the schema fingerprints: small, no dependency
 * (OpenSSL is not among ours), streaming. */
#ifndef FW_SHA256_H
#define FW_SHA256_H
#include <stddef.h>
#include <stdint.h>

#define FW_SHA256_LEN 32
#define FW_SHA256_HEX_LEN 64

struct fw_sha256 {
	uint32_t h[8];
	uint64_t total;          /* bytes hashed so far */
	unsigned char block[64];
	size_t used;             /* bytes waiting in block */
};

void fw_sha256_init(struct fw_sha256 *s);
void fw_sha256_update(struct fw_sha256 *s, const void *data, size_t len);
/* a string and its terminating NUL, so that ("ab","c") and ("a","bc") differ */
void fw_sha256_field(struct fw_sha256 *s, const char *str);
void fw_sha256_final(struct fw_sha256 *s, unsigned char out[FW_SHA256_LEN]);
/* final, as 64 lower-case hex digits and a NUL */
void fw_sha256_hex(struct fw_sha256 *s, char out[FW_SHA256_HEX_LEN + 1]);

#endif
