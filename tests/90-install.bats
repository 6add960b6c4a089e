#!/usr/bin/env bats
# make install / uninstall honour PREFIX and DESTDIR, and leave nothing behind.

load test_helper

@test "install puts binaries, man pages and completions under DESTDIR/PREFIX; uninstall removes them" {
	local root="$BATS_TEST_TMPDIR/root"
	run make -s -C "$BATS_TEST_DIRNAME/.." install DESTDIR="$root" PREFIX=/opt/pcs
	assert_success
	[ -x "$root/opt/pcs/bin/pcs-forecast" ]
	[ -f "$root/opt/pcs/share/man/man1/pcs-forecast.1" ]
	[ -f "$root/opt/pcs/share/man/man5/pcs-formats.5" ]
	[ -f "$root/opt/pcs/share/man/man7/pcs.7" ]
	[ -f "$root/opt/pcs/share/bash-completion/completions/pcs" ]
	[ -L "$root/opt/pcs/share/bash-completion/completions/pcs-forecast" ]
	[ -f "$root/opt/pcs/share/zsh/vendor-completions/_pcs" ]
	run "$root/opt/pcs/bin/pcs-forecast" --version
	assert_success
	assert_output --regexp '^pcs-forecast [0-9]+\.[0-9]+\.[0-9]+$'
	run make -s -C "$BATS_TEST_DIRNAME/.." uninstall DESTDIR="$root" PREFIX=/opt/pcs
	assert_success
	run find "$root" -type f -o -type l
	assert_output ""
}

@test "the installed man page renders and the bash completion completes options" {
	run mandoc -Thtml "$BATS_TEST_DIRNAME/../man/pcs-forecast.1"
	assert_success
	assert_output --partial 'id="EXIT_STATUS"'
	run bash -c "source '$BATS_TEST_DIRNAME/../completions/pcs.bash'
		COMP_WORDS=(pcs-forecast --mo); COMP_CWORD=1; COMP_LINE='pcs-forecast --mo'; COMP_POINT=\${#COMP_LINE}
		_pcs_forecast pcs-forecast --mo pcs-forecast
		printf '%s\n' \"\${COMPREPLY[@]}\""
	assert_success
	assert_output --partial "--model"
}
