using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Traceability;
using ManufacturingOrchestration.Engine.Workflows;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Rules;
using ManufacturingOrchestration.Scenarios;

namespace ManufacturingOrchestration.Testing;

/// <summary>Settings of an <see cref="OrchestrationTestHarness"/>, with documented defaults.</summary>
public sealed class OrchestrationTestHarnessOptions
{
    /// <summary>Where the fake clock starts. Default 2026-01-05 06:00 UTC (a Monday, at the morning shift change).</summary>
    public DateTimeOffset StartTime { get; init; } = new(2026, 1, 5, 6, 0, 0, TimeSpan.Zero);

    /// <summary>The seed of the simulators' fault injection and the retry jitter. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The store; a new <see cref="InMemoryOrchestrationStore"/> when <see langword="null"/> (pass a durable one to test restarts).</summary>
    public IOrchestrationStore? Store { get; init; }

    /// <summary>The file the simulators' effects are logged to (so a crash test can count them); in memory when <see langword="null"/>.</summary>
    public string? EffectsLogPath { get; init; }

    /// <summary>The workflows, built over the harness's <see cref="ScenarioServices"/>. Default: the incoming-inspection workflow.</summary>
    public IList<Func<ScenarioServices, WorkflowDefinition>> Workflows { get; } = [];

    /// <summary>Configures the decision engine; the standard rules when <see langword="null"/>.</summary>
    public Action<DecisionEngineBuilder>? Rules { get; init; }

    /// <summary>
    /// Creates the services the shipped workflows share from the built decision engine, to set what they only take at
    /// creation (count tolerances and authorities, scrap-spike settings, lot policy…). Default
    /// <c>rules =&gt; new ScenarioServices(rules) { Actors = harness.Actors }</c>. Sites added with
    /// <see cref="OrchestrationTestHarness.AddSite"/> go to its <see cref="ScenarioServices.Sites"/>. Services created
    /// here look people up in their own <see cref="ScenarioServices.Actors"/>, not the harness's directory.
    /// </summary>
    public Func<DecisionEngine, ScenarioServices>? CreateScenarioServices { get; init; }

    /// <summary>
    /// Creates the genealogy repository that the <c>traceability.publish-genealogy</c> command reaches (wrapped in a
    /// <see cref="TraceabilityRepositoryAdapter"/>), on the harness's clock. Default: a new
    /// <see cref="InMemoryTraceabilityRepository"/>. Return <see langword="null"/> to run without a traceability adapter: a
    /// workflow that requires <c>traceability.publish-genealogy</c> (the finished-goods release) then refuses to start.
    /// </summary>
    public Func<TimeProvider, ITraceabilityRepository?> Traceability { get; init; } = static time => new InMemoryTraceabilityRepository(time);

    /// <summary>The actors known to the actor directory (operators, approvers). More can be added with <see cref="OrchestrationTestHarness.Actors"/>.</summary>
    public IList<Actor> Actors { get; } = [];

    /// <summary>Adjusts the orchestrator options last (parallelism, retry policy…). Default parallelism is 2.</summary>
    public Action<OrchestratorOptions>? Configure { get; init; }

    /// <summary>
    /// How long <see cref="OrchestrationTestHarness.WaitForIdleAsync"/>, and every helper that waits through it, waits
    /// for the orchestrator to become idle before it fails with a <see cref="TimeoutException"/> that says what was still
    /// pending. Real (wall-clock) time, as the harness's own clock only moves when told to. Default one minute;
    /// <see cref="Timeout.InfiniteTimeSpan"/> waits without a limit.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(1);
}
