/* yamlfile.h -- load a YAML data file (rules, lexicons) as a jansson value. */
#ifndef CV_PLUGIN_YAMLFILE_H
#define CV_PLUGIN_YAMLFILE_H

#include <jansson.h>
#include <stddef.h>

/* Scalars become strings.  Anchors and aliases are refused.  On failure
 * returns NULL with "FILE:LINE:COL: message" in err. */
json_t *yaml_file_load(const char *path, char *err, size_t errlen);
/* The same from text in memory; name is what errors call it. */
json_t *yaml_text_load(const char *name, const unsigned char *text, size_t len, char *err, size_t errlen);

/* The *.yaml / *.yml files of a folder, sorted; or just `path` if it is a
 * file.  Returns the count; *out is a NULL-terminated array to free with
 * paths_free(). -1 when path is neither. */
int yaml_paths(const char *path, char ***out);
void paths_free(char **paths);

#endif
