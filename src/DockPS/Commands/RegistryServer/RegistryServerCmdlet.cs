using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using DockPS.Client;

namespace DockPS.Commands.RegistryServer;

/// <summary>
/// The base of the registry lifecycle cmdlets: they manage local processes, not a daemon, so they
/// have no -HostAddress; Ctrl+C cancels their waits.
/// </summary>
public abstract class RegistryServerCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cancel = new();

    /// <summary>Cancelled when the user presses Ctrl+C.</summary>
    protected CancellationToken Cancellation => _cancel.Token;

    /// <summary>Cancels a wait in progress.</summary>
    protected override void StopProcessing() => _cancel.Cancel();

    /// <summary>Releases the cancellation source.</summary>
    public void Dispose()
    {
        _cancel.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A terminating error with a specific id and category.</summary>
    protected void Fail(string message, string errorId, ErrorCategory category, object? target, Exception? inner = null) =>
        ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(message, inner), errorId, category, target));
}

/// <summary>Completes -Port with the ports of running registries.</summary>
public sealed class RegistryPortCompleter : IArgumentCompleter
{
    /// <summary>The running registries' ports that start with what was typed.</summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        RegistryServerProcess.List()
            .Where(s => s.Port.ToString(System.Globalization.CultureInfo.InvariantCulture).StartsWith(wordToComplete, StringComparison.Ordinal))
            .Select(s => new CompletionResult(s.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{s.Port}", CompletionResultType.ParameterValue, $"{s.Url} ({s.Path})"));
}
