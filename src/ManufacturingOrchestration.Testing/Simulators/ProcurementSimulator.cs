using System.Collections.Concurrent;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing;

/// <summary>An alternate-supply request the simulated procurement system received.</summary>
public sealed record AlternateSupplyRequest
{
    /// <summary>The request id (requisition number).</summary>
    public required string Id { get; init; }

    /// <summary>The request as received.</summary>
    public required RequestAlternateSupplyRequest Request { get; init; }

    /// <summary>The supplier the request was routed to: the first preferred supplier that is not excluded, if any.</summary>
    public SupplierId? RoutedTo { get; init; }
}

/// <summary>A notice sent to a supplier through the simulated supplier portal.</summary>
public sealed record SupplierNotice
{
    /// <summary>The message id.</summary>
    public required string Id { get; init; }

    /// <summary>The notice as received.</summary>
    public required NotifySupplierRequest Request { get; init; }
}

/// <summary>
/// A stateful in-memory procurement system and supplier portal. Routes an alternate-supply request to the first
/// preferred supplier that is not the excluded one, and refuses requests that only name the excluded supplier.
/// Thread-safe.
/// </summary>
public sealed class ProcurementSimulator : AdapterSimulator,
    ICommandHandler<RequestAlternateSupplyRequest>,
    ICommandHandler<NotifySupplierRequest>
{
    private readonly ConcurrentQueue<AlternateSupplyRequest> _requests = new();
    private readonly ConcurrentQueue<SupplierNotice> _notices = new();
    private readonly Func<RequestAlternateSupplyRequest, CommandPlan> _request;
    private readonly Func<NotifySupplierRequest, CommandPlan> _notify;

    /// <summary>Creates an empty procurement system.</summary>
    /// <param name="options">The clock, faults and effects log; defaults when <see langword="null"/>.</param>
    public ProcurementSimulator(SimulatorOptions? options = null)
        : base(CommandKinds.ProcurementSystem, options)
    {
        _request = PlanRequest;
        _notify = PlanNotice;
    }

    /// <summary>The alternate-supply requests received, in order.</summary>
    public IReadOnlyList<AlternateSupplyRequest> AlternateSupplyRequests => [.. _requests];

    /// <summary>The supplier notices sent, in order.</summary>
    public IReadOnlyList<SupplierNotice> SupplierNotices => [.. _notices];

    /// <inheritdoc />
    public ValueTask<AdapterResult> RequestAlternateSupplyAsync(RequestAlternateSupplyRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, StripeFor(request?.Context?.IdempotencyKey ?? string.Empty), _request, cancellationToken);

    /// <inheritdoc />
    public ValueTask<AdapterResult> NotifySupplierAsync(NotifySupplierRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, StripeFor(request?.Context?.IdempotencyKey ?? string.Empty), _notify, cancellationToken);

    private CommandPlan PlanRequest(RequestAlternateSupplyRequest request)
    {
        if (request.Quantity.Value <= 0)
        {
            return CommandPlan.Refuse(ReasonCodes.NonPositiveQuantity, "An alternate-supply request needs a positive quantity.");
        }

        SupplierId? routedTo = null;
        foreach (var supplier in request.PreferredSuppliers)
        {
            if (supplier != request.ExcludedSupplier)
            {
                routedTo = supplier;
                break;
            }
        }

        if (routedTo is null && request.PreferredSuppliers.Count > 0)
        {
            return CommandPlan.Refuse(ReasonCodes.OutOfRange, $"Every preferred supplier of {request.Material} is the excluded supplier {request.ExcludedSupplier}.");
        }

        var id = NextReference("PR-");
        var entry = new AlternateSupplyRequest { Id = id, Request = request, RoutedTo = routedTo };
        return CommandPlan.Apply(
            $"alternate supply of {request.Quantity} {request.Material} for {request.Site}{(routedTo is { } s ? $" routed to {s}" : " to sourcing")}",
            () => _requests.Enqueue(entry),
            lot: request.Lot?.Value,
            externalReference: id);
    }

    private CommandPlan PlanNotice(NotifySupplierRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Subject))
        {
            return CommandPlan.Refuse(ReasonCodes.Required, "A supplier notice needs a subject.");
        }

        var id = NextReference("SN-");
        var notice = new SupplierNotice { Id = id, Request = request };
        return CommandPlan.Apply($"notice to {request.Supplier}: {request.Subject}", () => _notices.Enqueue(notice), lot: request.Lot?.Value, externalReference: id);
    }

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<RequestAlternateSupplyRequest>.ExecuteAsync(RequestAlternateSupplyRequest command, CancellationToken cancellationToken) => RequestAlternateSupplyAsync(command, cancellationToken);

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<NotifySupplierRequest>.ExecuteAsync(NotifySupplierRequest command, CancellationToken cancellationToken) => NotifySupplierAsync(command, cancellationToken);
}
