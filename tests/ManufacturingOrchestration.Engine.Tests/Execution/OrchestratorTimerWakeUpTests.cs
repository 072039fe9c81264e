using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Commands;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Tests.Telemetry;
using ManufacturingOrchestration.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ManufacturingOrchestration.Engine.Tests.Execution;

/// <summary>
/// The timer loop's wake-up for the next durable timer, under a seeded schedule of where the clock moves: on the test
/// thread between steps (after a seeded spin or yield), or inside the arming of the wake-up itself, between the loop's
/// reading of the clock and the timer being armed. Every retry must still fire, whatever the schedule.
/// </summary>
public class OrchestratorTimerWakeUpTests
{
    private const int Iterations = 200;
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    private static CancellationToken Ct => EngineTestHost.Ct;

    [Fact]
    public async Task BootstrapRetries_ClockAdvancedWhileTheWakeUpIsArmed_EveryRetryFiresAndTheEventIsDeadLettered()
    {
        var advancedWhileArming = 0;
        for (var seed = 0; seed < Iterations; seed++)
        {
            advancedWhileArming += await RunAsync(seed);
        }

        advancedWhileArming.Should().BeGreaterThan(Iterations / 2, "the schedule moved the clock inside the arming of a wake-up in most runs");
    }

    /// <summary>The exhausted-bootstrap scenario once, under the schedule of <paramref name="seed"/>; returns how many armings the clock moved in.</summary>
    private static async Task<int> RunAsync(int seed)
    {
        var schedule = new Random(seed);
        InterleavingTimeProvider? clock = null;
        await using var host = new EngineTestHost(o =>
        {
            clock = new InterleavingTimeProvider((FakeTimeProvider)o.TimeProvider);
            o.TimeProvider = clock;
            o.Settings.Retry = new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(1), MaxAttempts = 3 };

            // No audit checkpoint timer is armed while the scenario runs: each arming the schedule moves the clock in is the retry's wake-up.
            o.Settings.CheckpointInterval = TimeSpan.FromDays(1);
        });
        await host.Orchestrator.StartAsync(Ct).WaitAsync(Limit, Ct);
        using var recorder = new MeasurementRecorder(host.Orchestrator.Telemetry.Meter);
        host.AddLotInInspection("L-3", 10);
        host.Plant.Faults.Configure(QueryKinds.ErpGetLot, new FaultProfile { TransientFailureRate = 1 });

        await PerturbAsync(schedule, clock!);
        var published = await host.Orchestrator.PublishAsync(EngineTestHost.Passed("L-3", "p1"), Ct).AsTask().WaitAsync(Limit, Ct);
        published.Status.Should().Be(PublishStatus.Accepted);
        await WaitForIdleAsync(host, clock!, seed, "after publishing");

        for (var step = 0; step < 10 && host.Orchestrator.OpenDeadLetters == 0; step++)
        {
            await PerturbAsync(schedule, clock!);
            host.Time.Advance(Step);
            await WaitForIdleAsync(host, clock!, seed, $"after step {step}");
        }

        var because = $"seed {seed}";
        host.Orchestrator.OpenDeadLetters.Should().Be(1, because);
        recorder.Sum("mo.query.retries").Should().Be(2, because);
        recorder.Sum("mo.query.failures", "outcome", "exhausted").Should().Be(1, because);
        recorder.Sum("mo.deadletters").Should().Be(1, because);
        (await host.Store.ReadNextTimerDueAsync(Ct)).Should().BeNull(because);
        return clock!.AdvancedWhileArming;
    }

    /// <summary>
    /// The seeded choice of what happens before the next step: nothing; the clock advanced (past the next retry, or
    /// short of it) inside the next arming of a timer; or the test thread spinning or yielding first, so the advance
    /// lands at a different point of the engine's threads.
    /// </summary>
    private static async Task PerturbAsync(Random schedule, InterleavingTimeProvider clock)
    {
        switch (schedule.Next(5))
        {
            case 0:
                break;
            case 1:
            case 2:
                clock.AdvanceWhenNextArmed(Step);
                break;
            case 3:
                clock.AdvanceWhenNextArmed(TimeSpan.FromMilliseconds(schedule.Next(100, 900)));
                break;
            default:
                if (schedule.Next(2) == 0)
                {
                    Thread.SpinWait(schedule.Next(1, 20_000));
                }
                else
                {
                    await Task.Yield();
                }

                break;
        }
    }

    private static async Task WaitForIdleAsync(EngineTestHost host, InterleavingTimeProvider clock, int seed, string when)
    {
        try
        {
            await host.WaitForIdleAsync(Limit);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"Seed {seed}, {when}: {ex.Message}", ex);
        }

        // An advance that no arming took is dropped, so it cannot land in a later step instead.
        clock.Cancel();
    }
}
