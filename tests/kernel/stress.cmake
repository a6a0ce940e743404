# SPDX-License-Identifier: GPL-2.0-or-later
# The livepatch stress test (kernel-support/selftests/stress): fifty
# cycles of enable, atomic replace and disable while workers sleep in and
# leave .cold parts at random, in the harness kernel of each version.
# About 15 minutes in the guest under TCG on a busy 2-core machine: its
# own test, with timeouts to match.
foreach(ver 6.12 6.1)
	add_test(NAME kernel-stress-${ver}
		COMMAND ${KLP_KSUPPORT_DIR}/harness/run-tests.sh --version ${ver}
			${klp_plugin_args} --no-skip
			--suite ${KLP_KSUPPORT_DIR}/selftests/stress
			--test-timeout 2700 --timeout 3000
			--work-dir ${CMAKE_CURRENT_BINARY_DIR}/work-stress-${ver})
	set_tests_properties(kernel-stress-${ver} PROPERTIES
		LABELS kernel
		TIMEOUT 3600
		RUN_SERIAL TRUE
		FAIL_REGULAR_EXPRESSION "harness: FAIL ")
endforeach()
