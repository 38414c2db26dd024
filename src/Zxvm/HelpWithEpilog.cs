using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Zxvm;

/// <summary>System.CommandLine's help, followed for one command by text of zxvm's own (exit statuses).</summary>
internal sealed class HelpWithEpilog(HelpAction help, System.CommandLine.Command command, string epilog) : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        int code = help.Invoke(parseResult);
        if (parseResult.CommandResult.Command != command)
            return code;
        parseResult.InvocationConfiguration.Output.WriteLine(epilog); // the help already ends with an empty line
        return code;
    }
}
