# link-report.awk: turns a failed ld run's output (ld.log) into one MSBuild error per problem.
#
# ILC names every method's symbol after its assembly, type and method
# (S_P_CoreLib_System_Math__Cos), and ld says which function held each undefined reference, so
# each error names the missing symbol and the C# method that needs it, with its source line when
# the object carries DWARF (Debug builds).
#
# Usage: awk -v docs=PATH -f link-report.awk ld.log    (prints lines in MSBuild's error format)

function csharp_name(symbol,    name, assembly) {
    name = symbol
    assembly = ""
    if (match(name, /^S_P_[A-Za-z]+_/)) {                 # System.Private.* assemblies: S_P_CoreLib, S_P_TypeLoader, ...
        assembly = "System.Private." substr(name, 5, RLENGTH - 5)
        name = substr(name, RLENGTH + 1)
    }
    else {
        # ILC puts the assembly first; it shows when the namespace repeats it (StrixOS_StrixOS_Kernel__Main).
        for (i = 1; i <= length(name); i++) {
            if (substr(name, i, 1) != "_") continue
            prefix = substr(name, 1, i)
            if (substr(name, i + 1, i) == prefix) { assembly = substr(prefix, 1, i - 1); gsub(/_/, ".", assembly); name = substr(name, i + 1); break }
        }
    }
    # Type and method are separated by "__"; dots inside the namespace became "_".
    if (split(name, parts, "__") >= 2) {
        type = parts[1]; gsub(/_/, ".", type)
        method = parts[2]
        for (i = 3; i in parts; i++) method = method "__" parts[i]
        name = type "." method
    } else {
        gsub(/_/, ".", name)
    }
    return assembly == "" ? name : name " (" assembly ")"
}

/: in function `/ {
    function_symbol = $0
    sub(/^.*: in function `/, "", function_symbol)
    sub(/'.*$/, "", function_symbol)
    next
}

/undefined reference to `/ {
    missing = $0
    sub(/^.*undefined reference to `/, "", missing)
    sub(/'.*$/, "", missing)
    where = $0
    sub(/: undefined reference.*$/, "", where)
    sub(/^ld: /, "", where)
    source = ""
    if (where !~ /\(\.[A-Za-z_.]+\+0x[0-9a-f]+\)$/) {        # file:line from DWARF, not (.text+0x..)
        source = where
        sub(/^.*\//, "", source)
    }
    if ($0 ~ /^ld: /) function_symbol = ""                  # "ld: kernel.o:(.data+0x..)": a reference from data
    user = function_symbol == "" ? "data at " where : csharp_name(function_symbol) " [" function_symbol "]"
    key = missing SUBSEP user
    if (key in seen) next
    seen[key] = 1
    if (!(missing in symbols)) { symbols[missing] = 1; count++ }
    printf "strix.elf : error STRIX0001: undefined symbol '%s', needed by %s%s. The StrixOS runtime does not provide it: see %s (\"When the link fails\").\n", \
        missing, user, source == "" ? "" : " at " source, docs
    next
}

/more undefined references to `/ { next }

# Anything else ld said (a warning made fatal, a section that does not fit) is an error of its own.
/^ld: / && !/: in function `/ {
    other++
    line = $0
    sub(/^ld: /, "", line)
    printf "strix.elf : error STRIX0002: ld: %s\n", line
}

END {
    if (count > 0)
        printf "strix.elf : error STRIX0003: the kernel does not link: %d undefined symbol(s), listed above with the C# methods that need them (%s).\n", count, docs
}
