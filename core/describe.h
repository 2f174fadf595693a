/* describe.h -- the plugins as users read about them. */
#ifndef CV_DESCRIBE_H
#define CV_DESCRIBE_H

#include "registry.h"

/* Each returns a CV_EXIT_* status; output on stdout, errors on stderr. */
/* --list-plugins: name, kind, version, description and file of each. */
int cv_list_plugins(const cv_registry *reg);
/* --describe NAME (or "--all"): a plugin's options, type, default and help. */
int cv_describe(const cv_registry *reg, const char *name);
/* --reference: docs/reference.md, from the config's keys and every plugin's table. */
int cv_reference(const cv_registry *reg);

#endif
