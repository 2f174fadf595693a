/* Fuzz the Parquet reader: any bytes as a .parquet file, read to the end. */
#include "fuzz_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_reader("parquet", ".parquet", data, size); }
