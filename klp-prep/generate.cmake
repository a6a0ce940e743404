# SPDX-License-Identifier: GPL-2.0-or-later
# klp-prep generate: libclang extraction, the compile database, diffs,
# templates.  Included from klp-prep/CMakeLists.txt.

set(KLP_LLVM_DIR /usr/lib/llvm-14 CACHE PATH "LLVM installation with libclang")
find_library(KLP_LIBCLANG NAMES clang-14 clang
	PATHS ${KLP_LLVM_DIR}/lib NO_DEFAULT_PATH REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(KLP_GEN_LIBELF REQUIRED IMPORTED_TARGET libelf)

# Internal (not part of libklp_prep's ABI): linked into the command and
# the tests.
add_library(klp_generate STATIC
	lib/compdb.c
	lib/diff.c
	lib/extract.c
	lib/extract_log.c
	lib/extract_strset.c
	lib/extract_tu.c
	lib/source_file.c
	lib/template.c
	lib/generate.c
	lib/generate_symbols.c
	lib/generate_convert.c)
target_include_directories(klp_generate PUBLIC
	${CMAKE_CURRENT_SOURCE_DIR}/include ${KLP_FORMAT_INCLUDE_DIR})
target_include_directories(klp_generate SYSTEM PUBLIC ${KLP_LLVM_DIR}/include)
target_link_libraries(klp_generate PUBLIC ${KLP_LIBCLANG} klp_prep PkgConfig::KLP_GEN_LIBELF)
target_compile_options(klp_generate PRIVATE ${KLP_SANITIZE_FLAGS})
# The source tree's templates, when the installed ones are not there.
target_compile_definitions(klp_generate PRIVATE
	KLP_PREP_SOURCE_TEMPLATES="${PROJECT_SOURCE_DIR}/templates")

target_sources(klp-prep PRIVATE cli/cmd_generate.c)
target_link_libraries(klp-prep PRIVATE klp_generate)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/templates/
	DESTINATION ${CMAKE_INSTALL_DATADIR}/klp-prep/templates
	FILES_MATCHING PATTERN "*.tmpl")
