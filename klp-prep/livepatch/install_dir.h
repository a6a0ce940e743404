/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * install_dir.h - what cmake --install put beside the klp-prep command
 *
 * An installed klp-prep finds its plugin and templates relative to its
 * own executable (PREFIX/bin/klp-prep), so an install moved elsewhere
 * or made with --prefix still finds them.
 */
#ifndef KLP_PREP_INSTALL_DIR_H
#define KLP_PREP_INSTALL_DIR_H

#include <stddef.h>

/*
 * "PREFIX/@rel" in @buf (@size bytes) when that path exists, for the
 * running executable's PREFIX; NULL otherwise.
 */
const char *klp_installed_path(const char *rel, char *buf, size_t size);

#endif /* KLP_PREP_INSTALL_DIR_H */
