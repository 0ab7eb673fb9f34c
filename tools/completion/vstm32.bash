# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for vstm32 (installed as
# /usr/share/bash-completion/completions/vstm32).  Part names come from the
# binary itself (`vstm32 parts --json`'s names), so a new part completes
# without touching this file.

_vstm32_parts()
{
    "${words[0]}" parts --json 2>/dev/null |
        sed -n 's/^ *"name": *"\([a-z0-9]*\)".*/\1/p'
}

_vstm32()
{
    local cur prev words cword cmd i
    COMPREPLY=()
    # bash splits words at ':' (COMP_WORDBREAKS); bash-completion's
    # _init_completion -n : keeps "l476xg:dfu" one word.
    if declare -F _init_completion >/dev/null; then
        _init_completion -n : || return
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${words[cword]}
        prev=${words[cword-1]}
    fi

    # after `--`, run's command: complete it as a command line of its own
    for ((i = 1; i < cword; i++)); do
        if [[ ${words[i]} == -- ]]; then
            if ((i + 1 == cword)); then
                COMPREPLY=($(compgen -c -- "$cur"))
            else
                COMPREPLY=($(compgen -f -- "$cur"))
            fi
            return
        fi
    done

    if ((cword == 1)); then
        COMPREPLY=($(compgen -W 'parts new inspect serve run ctl attach scenario replay report --version --help' -- "$cur"))
        return
    fi
    cmd=${words[1]}

    local board_opts='--board --state --boot0 --rev --link --hse --fault --faults'
    local global_opts='--seed --time --ctl --bind --port --pcap --trace --trace=explain --console'
    case $prev in
        --board)
            local parts p
            parts=$(_vstm32_parts)
            if [[ $cur == *:* ]]; then
                p=${cur%%:*}
                COMPREPLY=($(compgen -W "$p:dfu $p:stlink-v2 $p:stlink-v2-1 $p:stlink-v3 $p:dfu:stlink-v2 $p:dfu:stlink-v2-1 $p:dfu:stlink-v3" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "$parts" -- "$cur"))
            fi
            declare -F __ltrim_colon_completions >/dev/null && __ltrim_colon_completions "$cur"
            return ;;
        --state|--faults|--pcap|--ctl)
            COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --boot0) COMPREPLY=($(compgen -W '0 1' -- "$cur")); return ;;
        --link) COMPREPLY=($(compgen -W 'direct hub' -- "$cur")); return ;;
        --time) COMPREPLY=($(compgen -W 'fast real scaled:' -- "$cur")); return ;;
        --route) COMPREPLY=($(compgen -W 'usbfs' -- "$cur")); return ;;
        --expect-state)
            COMPREPLY=($(compgen -W 'running halted hardfault lockup bootloader reset-loop' -- "$cur"))
            return ;;
    esac

    case $cmd in
        parts)
            COMPREPLY=($(compgen -W '--json --markdown' -- "$cur")) ;;
        new)
            if ((cword == 2)); then
                COMPREPLY=($(compgen -W "$(_vstm32_parts)" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W '--ob --force' -- "$cur"))
            else
                COMPREPLY=($(compgen -d -- "$cur"))
            fi ;;
        inspect)
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W '--json' -- "$cur"))
            else
                COMPREPLY=($(compgen -d -- "$cur"))
            fi ;;
        serve)
            COMPREPLY=($(compgen -W "$board_opts $global_opts" -- "$cur")) ;;
        run)
            COMPREPLY=($(compgen -W "$board_opts $global_opts --connect --route --expect-console --expect-state --expect-led-toggles --within-ms --" -- "$cur")) ;;
        ctl)
            if ((cword == 2)); then
                COMPREPLY=($(compgen -f -- "$cur"))
            else
                COMPREPLY=($(compgen -W 'status console boot0 reset power-cycle unplug plug state fault --board' -- "$cur"))
            fi ;;
        attach)
            COMPREPLY=($(compgen -W '--host --port --busid --once --poll' -- "$cur")) ;;
        scenario)
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W '--seed --pcap --verbose --keep' -- "$cur"))
            else
                COMPREPLY=($(compgen -f -X '!*.scn' -- "$cur") $(compgen -d -- "$cur"))
            fi ;;
        replay)
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W '--device --strict --trace --trace=explain --board --time --seed' -- "$cur"))
            else
                COMPREPLY=($(compgen -f -X '!*.pcap*' -- "$cur") $(compgen -d -- "$cur"))
            fi ;;
    esac
}
complete -F _vstm32 vstm32
