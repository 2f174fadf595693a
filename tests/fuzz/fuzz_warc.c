/* Fuzz the WARC reader: any bytes as a WARC file (plain, or gzip/zstd by their magic). */
#include "fuzz_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_reader("warc", ".warc", data, size); }
