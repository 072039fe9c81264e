using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Samples;

/// <summary>
/// One node's way to the plant systems, behind its <see cref="NodePowerSwitch"/>: every command and query goes to the
/// plant's shared adapters (one ERP, one WMS… for every node of the plant) while the power is on, and throws
/// <see cref="NodePoweredOffException"/> once it is off. A command that was under way when the power went reaches its
/// system (it was on the wire), but the node never learns the answer; whoever takes its work over sends it again under the
/// same idempotency key.
/// </summary>
/// <remarks>
/// One instance stands for every system: it handles any command (<see cref="ICommandHandler{TCommand}"/> is
/// contravariant, so a handler of <see cref="AdapterCommand"/> handles each command type) and every query of the
/// library's operations (one handler per result type), and says it supports an operation exactly when the shared
/// adapters do.
/// </remarks>
public sealed class PoweredAdapter :
    ICommandHandler<AdapterCommand>,
    IQueryHandler<AdapterQuery<MaterialLot?>, MaterialLot?>,
    IQueryHandler<AdapterQuery<MaterialDefinition?>, MaterialDefinition?>,
    IQueryHandler<AdapterQuery<IReadOnlyList<Allocation>>, IReadOnlyList<Allocation>>,
    IQueryHandler<AdapterQuery<LotStockSnapshot?>, LotStockSnapshot?>,
    IQueryHandler<AdapterQuery<ProductionOrder?>, ProductionOrder?>,
    IQueryHandler<AdapterQuery<IReadOnlyList<GenealogyLink>>, IReadOnlyList<GenealogyLink>>,
    IQueryHandler<AdapterQuery<GenealogyTrace>, GenealogyTrace>,
    IQueryHandler<AdapterQuery<InspectionLot?>, InspectionLot?>,
    IQueryHandler<AdapterQuery<Nonconformance?>, Nonconformance?>,
    IQueryHandler<AdapterQuery<SupplierQualityHistory?>, SupplierQualityHistory?>,
    IQueryHandler<AdapterQuery<IReadOnlyList<CertificateOfAnalysis>>, IReadOnlyList<CertificateOfAnalysis>>,
    IQueryHandler<AdapterQuery<WmsStock?>, WmsStock?>,
    IOperationSupport
{
    private readonly AdapterSet _plant;
    private readonly NodePowerSwitch _power;

    /// <summary>Puts the plant's shared adapters behind a node's power switch.</summary>
    /// <param name="plant">The plant's adapters, shared by every node.</param>
    /// <param name="power">The node's power switch.</param>
    public PoweredAdapter(AdapterSet plant, NodePowerSwitch power)
    {
        ArgumentNullException.ThrowIfNull(plant);
        ArgumentNullException.ThrowIfNull(power);
        _plant = plant;
        _power = power;
    }

    /// <summary>A node's adapter set: every system of <paramref name="plant"/> reached through one <see cref="PoweredAdapter"/>.</summary>
    /// <param name="plant">The plant's adapters, shared by every node.</param>
    /// <param name="power">The node's power switch.</param>
    /// <returns>The node's adapters.</returns>
    public static AdapterSet For(AdapterSet plant, NodePowerSwitch power)
    {
        ArgumentNullException.ThrowIfNull(plant);
        var adapter = new PoweredAdapter(plant, power);
        var node = new AdapterSet();
        foreach (var system in plant.Systems)
        {
            node.Add(system, adapter);
        }

        return node;
    }

    /// <inheritdoc />
    public bool Supports(string operation) => _plant.Supports(operation, site: null);

    /// <inheritdoc />
    public async ValueTask<AdapterResult> ExecuteAsync(AdapterCommand command, CancellationToken cancellationToken = default)
    {
        _power.ThrowIfOff();
        var result = await _plant.ExecuteAsync(command, cancellationToken);
        _power.ThrowIfOff();
        return result;
    }

    /// <inheritdoc />
    public ValueTask<MaterialLot?> QueryAsync(AdapterQuery<MaterialLot?> query, CancellationToken cancellationToken = default) => PoweredQueryAsync(query, cancellationToken);

    /// <inheritdoc />
    public ValueTask<MaterialDefinition?> QueryAsync(AdapterQuery<MaterialDefinition?> query, CancellationToken cancellationToken = default) => PoweredQueryAsync(query, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<Allocation>> QueryAsync(AdapterQuery<IReadOnlyList<Allocation>> query, CancellationToken cancellationToken = default) => PoweredQueryAsync(query, cancellationToken);

    /// <inheritdoc />
    public ValueTask<LotStockSnapshot?> QueryAsync(AdapterQuery<LotStockSnapshot?> query, CancellationToken cancellationToken = default) => PoweredQueryAsync(query, cancellationToken);

    /// <inheritdoc />
    public ValueTask<ProductionOrder?> QueryAsync(AdapterQuery<ProductionOrder?> query, CancellationToken cancellationToken = default) => PoweredQueryAsync(query, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<GenealogyLink>> QueryAsync(AdapterQuery<IReadOnlyList<GenealogyLink>> query, CancellationToken cancellationToken = default) => PoweredQueryAsync(query, cancellationToken);

    /// <inheritdoc />
    public ValueTask<GenealogyTrace> QueryAsync(AdapterQuery<GenealogyTrace> query, CancellationToken cancellationToken = default) => PoweredQueryAsync(query, cancellationToken);

    /// <inheritdoc />
    public ValueTask<InspectionLot?> QueryAsync(AdapterQuery<InspectionLot?> query, CancellationToken cancellationToken = default) => PoweredQueryAsync(query, cancellationToken);

    /// <inheritdoc />
    public ValueTask<Nonconformance?> QueryAsync(AdapterQuery<Nonconformance?> query, CancellationToken cancellationToken = default) => PoweredQueryAsync(query, cancellationToken);

    /// <inheritdoc />
    public ValueTask<SupplierQualityHistory?> QueryAsync(AdapterQuery<SupplierQualityHistory?> query, CancellationToken cancellationToken = default) => PoweredQueryAsync(query, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<CertificateOfAnalysis>> QueryAsync(AdapterQuery<IReadOnlyList<CertificateOfAnalysis>> query, CancellationToken cancellationToken = default) => PoweredQueryAsync(query, cancellationToken);

    /// <inheritdoc />
    public ValueTask<WmsStock?> QueryAsync(AdapterQuery<WmsStock?> query, CancellationToken cancellationToken = default) => PoweredQueryAsync(query, cancellationToken);

    private async ValueTask<TResult> PoweredQueryAsync<TResult>(AdapterQuery<TResult> query, CancellationToken cancellationToken)
    {
        _power.ThrowIfOff();
        var result = await _plant.QueryAsync(query, site: null, cancellationToken);
        _power.ThrowIfOff();
        return result;
    }
}
