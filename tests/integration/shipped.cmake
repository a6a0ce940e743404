# SPDX-License-Identifier: GPL-2.0-or-later
# A shipped distribution kernel (scripts/shipped-kernels): units of its
# source package rebuilt against its headers package, proven against its
# -dbg vmlinux and cached (klp-prep kernel-records), checked again (check
# -k), and refused when compiled otherwise; and klp-prep build -k on its
# headers (shipped_build.sh, fixes in tests/shipped/).  Skips (77) when the
# release's packages are not installed (scripts/install-deps.sh installs
# them).  The cache (an unpacked source tree, 1.5 GB) is kept between
# runs outside the repository: ${KLP_PREP_CACHE:-/var/cache/klp-prep}/
# shipped-records, or $KLP_SHIPPED_CACHE.
if(NOT TARGET klp-prep OR NOT TARGET klp_partition)
	return()
endif()

file(STRINGS ${PROJECT_SOURCE_DIR}/scripts/shipped-kernels shipped_lines
	REGEX "^[^#]")
foreach(line ${shipped_lines})
	separate_arguments(fields UNIX_COMMAND "${line}")
	list(GET fields 0 release)
	add_test(NAME shipped_${release}
		COMMAND ${CMAKE_CURRENT_LIST_DIR}/shipped.sh
			$<TARGET_FILE:klp-prep> $<TARGET_FILE:klp_partition>
			${release}
			${CMAKE_CURRENT_BINARY_DIR}/shipped-work-${release})
	set_tests_properties(shipped_${release} PROPERTIES
		LABELS shipped
		RUN_SERIAL TRUE
		TIMEOUT 1800
		SKIP_RETURN_CODE 77)
	# klp-prep build -k on the release's headers (tests/shipped/: the fixes)
	add_test(NAME shipped_build_${release}
		COMMAND ${CMAKE_CURRENT_LIST_DIR}/shipped_build.sh
			$<TARGET_FILE:klp-prep> $<TARGET_FILE:klp_partition>
			${release}
			${CMAKE_CURRENT_BINARY_DIR}/shipped-build-work-${release})
	set_tests_properties(shipped_build_${release} PROPERTIES
		LABELS shipped
		RUN_SERIAL TRUE
		TIMEOUT 1800
		SKIP_RETURN_CODE 77)
endforeach()
