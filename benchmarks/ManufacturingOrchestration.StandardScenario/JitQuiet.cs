using System.Diagnostics;
using System.Runtime;

namespace ManufacturingOrchestration.StandardScenario;

/// <summary>
/// Waits, before a runner starts its clock, until the JIT has stopped compiling. Tiered compilation recompiles a method
/// in the background some time after it has been called often enough — including the setup code every run repeats
/// (dependency injection, building the host, registering the lots) — so without this wait the timed part of a run pays
/// for recompiling the setup that came just before it. On two cores that is up to a third of a 20,000-event run. Both
/// the orchestrator's runner and the baseline wait the same way, so neither is timed compiling.
/// </summary>
public static class JitQuiet
{
    /// <summary>How long no method may be compiled for the JIT to count as quiet.</summary>
    public static readonly TimeSpan QuietFor = TimeSpan.FromMilliseconds(300);

    /// <summary>The longest the wait lasts, quiet or not: a runner is never held up by a JIT that keeps compiling.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(5);

    /// <summary>Waits until no method has been compiled for <see cref="QuietFor"/>, or at most <see cref="MaxWait"/>.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the JIT is quiet or the wait is over.</returns>
    public static async Task WaitAsync(CancellationToken cancellationToken = default)
    {
        var step = TimeSpan.FromMilliseconds(50);
        var waited = Stopwatch.StartNew();
        var last = JitInfo.GetCompiledMethodCount();
        var quietSince = waited.Elapsed;
        while (waited.Elapsed < MaxWait)
        {
            await Task.Delay(step, cancellationToken).ConfigureAwait(false);
            var now = JitInfo.GetCompiledMethodCount();
            if (now != last)
            {
                last = now;
                quietSince = waited.Elapsed;
            }
            else if (waited.Elapsed - quietSince >= QuietFor)
            {
                break;
            }
        }
    }
}
