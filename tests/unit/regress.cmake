# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzz regressions: each libFuzzer target of fuzz/ compiled by the normal
# build (sanitized in build-asan) and run on every input a fuzzer found a
# bug with, kept under regress/TARGET/.  A hang fails through TIMEOUT.
foreach(t fuzz_partition fuzz_object fuzz_ipa_clones fuzz_diff fuzz_template fuzz_verify)
	add_executable(regress_${t} ${PROJECT_SOURCE_DIR}/fuzz/${t}.c
		${CMAKE_CURRENT_LIST_DIR}/regress_main.c)
	target_link_libraries(regress_${t} PRIVATE klp_prep klp_livepatch)
	target_compile_options(regress_${t} PRIVATE ${KLP_SANITIZE_FLAGS})
	target_link_options(regress_${t} PRIVATE ${KLP_SANITIZE_FLAGS})
	add_test(NAME regress_${t}
		COMMAND regress_${t} ${CMAKE_CURRENT_LIST_DIR}/regress/${t})
	set_tests_properties(regress_${t} PROPERTIES TIMEOUT 60)
endforeach()
