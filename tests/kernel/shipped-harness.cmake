# SPDX-License-Identifier: GPL-2.0-or-later
# The shipped distribution kernels (scripts/shipped-kernels) booted in the
# harness (run-tests.sh --shipped: the image package's vmlinuz and
# modules, qemu TCG, 2 CPUs): kernel-support/selftests/shipped/run.sh.
#   shipped-harness-RELEASE    the boot, a shipped module, klp-demo built
#                              against the shipped headers, a task held
#                              in a .cold part of vmlinux (hold-cold)
#   shipped-klp-build-RELEASE  the same and the livepatches klp-prep build
#                              -k makes (vmlinux, in-tree module, klp-demo,
#                              atomic replace, each disabled), check -k
# Skipped (77) when the release's packages are not installed, and the
# klp-build test when a case could not be made (each named, with why).
if(NOT TARGET klp_partition OR NOT TARGET klp-prep)
	return()
endif()

file(STRINGS ${PROJECT_SOURCE_DIR}/scripts/shipped-kernels shipped_lines
	REGEX "^[^#]")
foreach(line ${shipped_lines})
	separate_arguments(fields UNIX_COMMAND "${line}")
	list(GET fields 0 release)
	foreach(kind harness klp-build)
		set(extra)
		if(kind STREQUAL klp-build)
			set(extra --livepatch)
		endif()
		add_test(NAME shipped-${kind}-${release}
			COMMAND ${PROJECT_SOURCE_DIR}/kernel-support/selftests/shipped/run.sh
				$<TARGET_FILE:klp-prep> $<TARGET_FILE:klp_partition>
				${CMAKE_CURRENT_BINARY_DIR}/shipped-${kind}-${release}
				--release ${release} --smp 2 ${extra})
		# The first klp-build run unpacks the source package (shared
		# with the shipped_RELEASE tests' cache).
		set_tests_properties(shipped-${kind}-${release} PROPERTIES
			LABELS shipped
			SKIP_RETURN_CODE 77
			TIMEOUT 1200
			RUN_SERIAL TRUE)
	endforeach()
endforeach()
