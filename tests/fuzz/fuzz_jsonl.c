/* Fuzz the JSONL reader: any bytes as a JSON Lines file. */
#include "fuzz_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_reader("jsonl", ".jsonl", data, size); }
