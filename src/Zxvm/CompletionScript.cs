namespace Zxvm;

/// <summary>Shell completion scripts that ask zxvm itself (System.CommandLine's [suggest] directive).</summary>
internal static class CompletionScript
{
    public static string For(string shell) => shell switch
    {
        "bash" => Bash,
        _ => throw new UsageException($"completion: no script for shell '{shell}'"),
    };

    /// <summary>
    /// Offers what <c>zxvm [suggest:N] "LINE"</c> answers for the words so far; where zxvm offers
    /// nothing (after --image, --disk and other FILE options) bash completes file names.
    /// </summary>
    private const string Bash = """
        # zxvm bash completion: source <(zxvm completion bash)
        _zxvm_complete() {
            local line="${COMP_LINE:0:COMP_POINT}"
            local words="${line#*[[:space:]]}"
            [[ "$words" == "$line" ]] && words=""
            local IFS=$'\n'
            COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${#words}]" "$words" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _zxvm_complete zxvm
        """;
}
