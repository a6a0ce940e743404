/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * export.h - what libklp_prep exports
 *
 * The library is built with -fvisibility=hidden and a version script;
 * only names marked KLP_API (all prefixed klp_) are visible outside it.
 */
#ifndef KLP_PREP_EXPORT_H
#define KLP_PREP_EXPORT_H

#ifndef KLP_API
#define KLP_API __attribute__((visibility("default")))
#endif

#endif /* KLP_PREP_EXPORT_H */
