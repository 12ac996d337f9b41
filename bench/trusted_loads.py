#!/usr/bin/env python3
"""What makes the verifier search vmlinux BTF by name (issue 15, one monitor start's CPU).

Each load of a pointer field from a trusted or RCU BTF pointer (a tp_btf argument,
bpf_get_current_task_btf(), what those yield) makes this kernel's verifier look up
"<type>__safe_trusted", "__safe_rcu" (and the _or_null names) in vmlinux BTF, type by type
(btf_nested_type_is_trusted -> btf_find_by_name_kind): up to four scans of ~100k types per load
it verifies. Counts those loads, per program and per source line, in a level-2 verifier log:
    verifier_stats -x compat_enter -x compat_exit -v all OBJECT 2>LOG; bench/trusted_loads.py LOG
"""
import collections
import re
import sys

LOAD = re.compile(r'^(\d+): \((?:79|61|69|71)\) r(\d+) = \*\(u\d+ \*\)\(r(\d+) [+-]\d+\)\s*;(.*)$')
STATE = re.compile(r'\bR(\d+)(?:_w)?=(\w+)')


def main(path):
    per_program, per_line = collections.Counter(), collections.Counter()
    program = source = None
    types = {}  # register -> its type as last logged (the log names a register only when it changed)
    with open(path, errors='replace') as log:
        for line in log:
            if line.startswith('=== PROG '):
                program, types = line.split()[2], {}
                continue
            if line.startswith('; '):
                source = line.strip()
                continue
            m = LOAD.match(line)
            if m and m.group(3) != '10':  # r10: the stack
                dst, base, states = m.group(2), m.group(3), m.group(4)
                logged = dict(STATE.findall(states))
                base_type = logged.get(base) if base != dst and base in logged else types.get(base, '')
                if base_type.startswith(('trusted_ptr', 'rcu_ptr')) and 'ptr' in logged.get(dst, ''):
                    per_program[program] += 1
                    per_line[source] += 1
            types.update(STATE.findall(line))
    print(f'{sum(per_program.values())} verified loads of a pointer from a trusted or RCU pointer')
    for name, n in per_program.most_common(10):
        print(f'{n:>6}  {name}')
    print('by source line:')
    for text, n in per_line.most_common(10):
        print(f'{n:>6}  {text[:160]}')


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: trusted_loads.py LEVEL2_VERIFIER_LOG')
    main(sys.argv[1])
