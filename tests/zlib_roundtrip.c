/* Compresses and decompresses a few MB with the zlib this project built, and checks that the
 * library is the pinned version (EXPECTED_ZLIB_VERSION comes from third_party/sources.bzl). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int main(void) {
    const size_t size = 4u << 20;
    unsigned char *input = malloc(size);
    unsigned long long state = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < size; i++) {
        /* Half compressible text, half noise. */
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        input[i] = (i / 4096) % 2 ? (unsigned char)(state >> 56) : (unsigned char)("standalone "[i % 11]);
    }
    uLongf packed_size = compressBound(size);
    unsigned char *packed = malloc(packed_size);
    if (compress2(packed, &packed_size, input, size, 9) != Z_OK) {
        fprintf(stderr, "compress2 failed\n");
        return 1;
    }
    uLongf unpacked_size = size;
    unsigned char *unpacked = malloc(size);
    if (uncompress(unpacked, &unpacked_size, packed, packed_size) != Z_OK || unpacked_size != size ||
        memcmp(input, unpacked, size) != 0) {
        fprintf(stderr, "round trip failed\n");
        return 1;
    }
    if (strcmp(zlibVersion(), EXPECTED_ZLIB_VERSION) != 0) {
        fprintf(stderr, "zlib is %s, the pin says %s\n", zlibVersion(), EXPECTED_ZLIB_VERSION);
        return 1;
    }
    printf("zlib %s: %zu bytes -> %lu -> %lu, round trip ok\n", zlibVersion(), size, packed_size, unpacked_size);
    return 0;
}
