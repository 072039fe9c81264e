using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Testing;

namespace ManufacturingOrchestration.StandardScenario;

/// <summary>The plant a run of the standard scenario drives: its adapters, and the check of what they were asked to do.</summary>
public interface IScenarioPlant : IDisposable
{
    /// <summary>The adapters the orchestrator is composed with.</summary>
    AdapterSet Adapters { get; }

    /// <summary>
    /// Verifies the effects of the lots <paramref name="includes"/> names (every effect due, once and in order) and that
    /// the other lots had none (<see cref="EffectVerifier.VerifyEffects"/>).
    /// </summary>
    /// <param name="includes">Whether lot k was processed against this plant.</param>
    /// <param name="failures">Where every mismatch is added.</param>
    void VerifyEffects(Func<int, bool> includes, List<string> failures);
}

/// <summary>The Testing package's plant simulators, with the scenario's sites, materials and lots registered.</summary>
public sealed class SimulatedPlant : IScenarioPlant
{
    private readonly InspectionScenario _scenario;

    /// <summary>Creates the simulators and registers the scenario with them (before any timing starts).</summary>
    /// <param name="scenario">The scenario.</param>
    public SimulatedPlant(InspectionScenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        _scenario = scenario;
        Simulator = new PlantSimulator(new PlantSimulatorOptions { TimeProvider = TimeProvider.System, RecordCalls = false });
        scenario.Register(Simulator);
    }

    /// <summary>The simulators.</summary>
    public PlantSimulator Simulator { get; }

    /// <inheritdoc />
    public AdapterSet Adapters => Simulator.Adapters;

    /// <inheritdoc />
    public void VerifyEffects(Func<int, bool> includes, List<string> failures) => EffectVerifier.VerifyEffects(_scenario, Simulator, includes, failures);

    /// <inheritdoc />
    public void Dispose() => Simulator.Dispose();
}
