/* ft_shim.h -- the few lines of C++ that make fastText's classifier callable from C. */
#ifndef CLASSIFY_FT_SHIM_H
#define CLASSIFY_FT_SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ft_model ft_model;

typedef struct ft_pred {
    float prob; /* as fastText's predict-prob prints it: exp of its log-probability */
    int label;  /* index into ft_model_label() */
} ft_pred;

/* Check the file's layout (ftcheck.h), then load it with fastText.  NULL with
 * the reason in err (the path is the caller's to add).  Never throws. */
ft_model *ft_model_load(const char *path, char *err, size_t errlen);
void ft_model_free(ft_model *m);

int ft_model_nlabels(const ft_model *m);
/* Label i as the model stores it ("__label__en"). */
const char *ft_model_label(const ft_model *m, int i);
int ft_model_dim(const ft_model *m);
int ft_model_quantized(const ft_model *m);

/* Classify one line: len bytes ending in '\n', as fastText's predict-prob
 * reads a line of its input file.  At most k labels, best first, into out
 * (room for k).  Returns how many (0 when no token of the line is known to
 * the model), or -1 on an error inside fastText.  Safe to call from many
 * threads at once on one model: fastText's predict() is const and keeps its
 * scratch on the stack. */
int ft_predict(const ft_model *m, const char *line, size_t len, int k, ft_pred *out);

#ifdef __cplusplus
}
#endif
#endif
