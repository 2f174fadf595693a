/* Fuzz the archive reader: any bytes as an archive file. */
#include "fuzz_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_reader("archive", ".bin", data, size); }
