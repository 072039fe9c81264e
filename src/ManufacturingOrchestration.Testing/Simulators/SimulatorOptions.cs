namespace ManufacturingOrchestration.Testing;

/// <summary>What a simulator shares with its plant: clock, fault injector and effects log.</summary>
public sealed class SimulatorOptions
{
    /// <summary>The clock for effect timestamps, latency and outages. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The fault injector, or <see langword="null"/> for a new one on <see cref="TimeProvider"/> with seed 0.</summary>
    public FaultInjector? Faults { get; init; }

    /// <summary>The effects log, or <see langword="null"/> for a new in-memory one. A file-backed log makes idempotency survive a restart.</summary>
    public EffectsLog? Effects { get; init; }

    /// <summary>Whether to keep every call for inspection (<see cref="AdapterSimulator.Calls"/>). Default <see langword="true"/>; turn off for long throughput runs.</summary>
    public bool RecordCalls { get; init; } = true;
}
