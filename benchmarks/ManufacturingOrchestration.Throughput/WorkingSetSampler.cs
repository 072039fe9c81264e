using System.Diagnostics;
using ManufacturingOrchestration.Engine.Execution;

namespace ManufacturingOrchestration.Throughput;

/// <summary>Samples the working set and the orchestrator's backlog every 50 ms while the run lasts.</summary>
internal sealed class WorkingSetSampler
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public WorkingSetSampler(Orchestrator orchestrator) => _loop = Task.Run(() => SampleAsync(orchestrator));

    public long MaxWorkingSet { get; private set; }

    public long MaxBacklog { get; private set; }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task SampleAsync(Orchestrator orchestrator)
    {
        using var process = Process.GetCurrentProcess();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            do
            {
                process.Refresh();
                MaxWorkingSet = Math.Max(MaxWorkingSet, process.WorkingSet64);
                MaxBacklog = Math.Max(MaxBacklog, orchestrator.Backlog);
            }
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
