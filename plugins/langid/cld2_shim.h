/* cld2_shim.h -- the few lines of C++ that make CLD2 callable from C. */
#ifndef LANGID_CLD2_SHIM_H
#define LANGID_CLD2_SHIM_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cld2_result {
    char code[16];  /* ISO 639-1 where one exists ("bg", "uk"), else CLD2's code; "un" when unknown */
    int percent;    /* share of the text's letters in that language, 0-100 */
    double score;   /* CLD2's normalised score: near 1.0 for ordinary text */
    int reliable;   /* CLD2's own verdict */
} cld2_result;

/* Never throws; returns 0, or -1 if the text is not valid UTF-8. */
int cld2_detect(const char *text, int len, cld2_result *out);

#ifdef __cplusplus
}
#endif
#endif
