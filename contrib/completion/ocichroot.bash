# bash completion for ocichroot(8)                      -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Global options, commands, each command's options and their values, and
# container ids (from `ocichroot list -q`, with the --root given on the line).
# Like ocichroot's own parser, option completion stops at the first argument
# that is not an option: what follows the container id of `exec` or `ps`
# belongs to the command run there.

_ocichroot_global_opts='--debug --log --log-format --root --systemd-cgroup --rootless --cgroup-manager --policy --criu --version -v --help -h'
# global options that take a value (as the next word or after "=")
_ocichroot_global_valued='--log --log-format --root --rootless --cgroup-manager --policy --criu'
_ocichroot_commands='checkpoint create delete events exec features kill list pause ps restore resume run spec start state update'

# _ocichroot_opts VERB: the options of VERB
_ocichroot_opts()
{
	case $1 in
	create) printf '%s\n' '--bundle -b --console-socket --pid-file --no-pivot --no-new-keyring --preserve-fds --help -h' ;;
	run) printf '%s\n' '--bundle -b --console-socket --pid-file --no-pivot --no-new-keyring --preserve-fds --detach -d --keep --help -h' ;;
	exec) printf '%s\n' '--console-socket --cwd --env -e --tty -t --user -u --additional-gids -g --process -p --detach -d --pid-file --process-label --apparmor --no-new-privs --cap -c --preserve-fds --cgroup --ignore-paused --help -h' ;;
	kill) printf '%s\n' '--all -a --help -h' ;;
	delete) printf '%s\n' '--force -f --help -h' ;;
	list) printf '%s\n' '--format -f --quiet -q --help -h' ;;
	ps) printf '%s\n' '--format -f --help -h' ;;
	update) printf '%s\n' '--resources -r --memory --memory-swap --memory-reservation --kernel-memory --kernel-memory-tcp --cpu-share --cpu-shares --cpu-quota --cpu-period --cpu-rt-period --cpu-rt-runtime --cpuset-cpus --cpuset-mems --pids-limit --blkio-weight --help -h' ;;
	events) printf '%s\n' '--interval --stats --help -h' ;;
	spec) printf '%s\n' '--bundle -b --rootless --help -h' ;;
	start | state | pause | resume | features) printf '%s\n' '--help -h' ;;
	*) printf '%s\n' '' ;;
	esac
}

# _ocichroot_valued VERB: the options of VERB that take a value
_ocichroot_valued()
{
	case $1 in
	create | run) printf '%s\n' '--bundle -b --console-socket --pid-file --preserve-fds' ;;
	exec) printf '%s\n' '--console-socket --cwd --env -e --user -u --additional-gids -g --process -p --pid-file --process-label --apparmor --cap -c --preserve-fds --cgroup' ;;
	list | ps) printf '%s\n' '--format -f' ;;
	update) printf '%s\n' '--resources -r --memory --memory-swap --memory-reservation --kernel-memory --kernel-memory-tcp --cpu-share --cpu-shares --cpu-quota --cpu-period --cpu-rt-period --cpu-rt-runtime --cpuset-cpus --cpuset-mems --pids-limit --blkio-weight' ;;
	events) printf '%s\n' '--interval' ;;
	spec) printf '%s\n' '--bundle -b' ;;
	*) printf '%s\n' '' ;;
	esac
}

# _ocichroot_in WORD LIST: is WORD one of LIST?
_ocichroot_in()
{
	local w
	for w in $2; do
		[[ $1 == "$w" ]] && return 0
	done
	return 1
}

# Go's flag syntax: -name is --name.
_ocichroot_long()
{
	if [[ $1 == -[!-]?* ]]; then
		printf "%s\n" "-$1"
	else
		printf "%s\n" "$1"
	fi
}

_ocichroot_ids()
{
	local cmd=$1
	shift
	"$cmd" "$@" list -q 2>/dev/null
}

_ocichroot_files()
{
	local IFS=$'\n'
	COMPREPLY=($(compgen -f -- "$1"))
	compopt -o filenames 2>/dev/null
}

_ocichroot_dirs()
{
	local IFS=$'\n'
	COMPREPLY=($(compgen -d -- "$1"))
	compopt -o filenames 2>/dev/null
}

# _ocichroot_value OPTION CUR: complete the value of OPTION
_ocichroot_value()
{
	local opt
	opt=$(_ocichroot_long "$1")
	case $opt in
	--log-format) COMPREPLY=($(compgen -W 'text json' -- "$2")) ;;
	--rootless) COMPREPLY=($(compgen -W 'true false auto' -- "$2")) ;;
	--cgroup-manager) COMPREPLY=($(compgen -W 'cgroupfs systemd disabled' -- "$2")) ;;
	--policy) COMPREPLY=($(compgen -W 'strict best-effort' -- "$2")) ;;
	--format | -f) COMPREPLY=($(compgen -W 'table json' -- "$2")) ;;
	--root | --bundle | -b | --cwd) _ocichroot_dirs "$2" ;;
	--log | --criu | --console-socket | --pid-file | --process | -p | --resources | -r) _ocichroot_files "$2" ;;
	--cap | -c) COMPREPLY=($(compgen -W 'CAP_AUDIT_CONTROL CAP_AUDIT_READ CAP_AUDIT_WRITE CAP_BLOCK_SUSPEND CAP_BPF CAP_CHECKPOINT_RESTORE CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_IPC_LOCK CAP_IPC_OWNER CAP_KILL CAP_LEASE CAP_LINUX_IMMUTABLE CAP_MAC_ADMIN CAP_MAC_OVERRIDE CAP_MKNOD CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_RAW CAP_PERFMON CAP_SETFCAP CAP_SETGID CAP_SETPCAP CAP_SETUID CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_CHROOT CAP_SYS_MODULE CAP_SYS_NICE CAP_SYS_PACCT CAP_SYS_PTRACE CAP_SYS_RAWIO CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_SYSLOG CAP_WAKE_ALARM' -- "$2")) ;;
	*) COMPREPLY=() ;;
	esac
}

_ocichroot()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local cmd=${COMP_WORDS[0]}
	local verb='' verb_at=0 i w opt
	local -a root=()

	COMPREPLY=()

	# Global options up to the command; remember --root for `list -q`.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		opt=$(_ocichroot_long "${w%%=*}")
		if [[ $w == -* ]]; then
			if [[ $opt == --root ]]; then
				if [[ $w == *=* ]]; then
					root=(--root "${w#*=}")
				elif ((i + 1 < COMP_CWORD)); then
					root=(--root "${COMP_WORDS[i + 1]}")
				fi
			fi
			if [[ $w != *=* ]] && _ocichroot_in "$opt" "$_ocichroot_global_valued"; then
				((i++))
			fi
			continue
		fi
		verb=$w
		verb_at=$i
		break
	done

	if [[ -z $verb ]]; then
		w=${COMP_WORDS[COMP_CWORD - 1]}
		if ((COMP_CWORD > 1)) && [[ $cur != -* ]] &&
			_ocichroot_in "$(_ocichroot_long "$w")" "$_ocichroot_global_valued"; then
			_ocichroot_value "$w" "$cur"
		elif [[ $cur == -*=* ]]; then
			_ocichroot_value "${cur%%=*}" "${cur#*=}"
		elif [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$_ocichroot_global_opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$_ocichroot_commands" -- "$cur"))
		fi
		return 0
	fi

	# The command's options, up to its first positional argument.
	local valued npos=0
	valued=$(_ocichroot_valued "$verb")
	for ((i = verb_at + 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((npos == 0)) && [[ $w == -?* ]]; then
			if [[ $w == -- ]]; then
				npos=-1 # "--": what follows is positional
				continue
			fi
			if [[ $w != *=* ]] && _ocichroot_in "$(_ocichroot_long "$w")" "$valued"; then
				((i++))
			fi
			continue
		fi
		((npos < 0)) && npos=0
		((npos++))
	done
	((npos < 0)) && npos=0

	if ((npos == 0)); then
		w=${COMP_WORDS[COMP_CWORD - 1]}
		if ((COMP_CWORD - 1 > verb_at)) && [[ $w != *=* ]] &&
			_ocichroot_in "$(_ocichroot_long "$w")" "$valued" &&
			[[ ${COMP_WORDS[COMP_CWORD - 2]} != -- ]]; then
			_ocichroot_value "$w" "$cur"
			return 0
		fi
		if [[ $cur == -*=* ]]; then
			_ocichroot_value "${cur%%=*}" "${cur#*=}"
			return 0
		fi
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(_ocichroot_opts "$verb")" -- "$cur"))
			return 0
		fi
	fi

	case $verb in
	create | run)
		# a new id: nothing to offer
		;;
	start | state | delete | pause | resume | update | events | ps | exec)
		if ((npos == 0)); then
			COMPREPLY=($(compgen -W "$(_ocichroot_ids "$cmd" "${root[@]}")" -- "$cur"))
		fi
		;;
	kill)
		if ((npos == 0)); then
			COMPREPLY=($(compgen -W "$(_ocichroot_ids "$cmd" "${root[@]}")" -- "$cur"))
		elif ((npos == 1)); then
			COMPREPLY=($(compgen -W "$(compgen -A signal) $(compgen -A signal | sed 's/^SIG//')" -- "$cur"))
		fi
		;;
	esac
	return 0
}

complete -F _ocichroot ocichroot
