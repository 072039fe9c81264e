using System.Collections.Concurrent;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing;

/// <summary>A notification the simulated notification system delivered.</summary>
public sealed record SentNotification
{
    /// <summary>The message id.</summary>
    public required string Id { get; init; }

    /// <summary>When it was sent.</summary>
    public required DateTimeOffset SentAt { get; init; }

    /// <summary>The notification as received.</summary>
    public required SendNotificationRequest Request { get; init; }
}

/// <summary>A stateful in-memory notification system: keeps what it was asked to send, to which roles at which site. Thread-safe and cheap per call.</summary>
public sealed class NotificationSimulator : AdapterSimulator,
    ICommandHandler<SendNotificationRequest>
{
    private readonly ConcurrentQueue<SentNotification> _sent = new();
    private readonly Func<SendNotificationRequest, CommandPlan> _send;

    /// <summary>Creates an empty notification system.</summary>
    /// <param name="options">The clock, faults and effects log; defaults when <see langword="null"/>.</param>
    public NotificationSimulator(SimulatorOptions? options = null)
        : base(CommandKinds.NotificationSystem, options)
    {
        _send = PlanSend;
    }

    /// <summary>The notifications sent, in order.</summary>
    public IReadOnlyList<SentNotification> Sent => [.. _sent];

    /// <summary>The notifications sent to a role at a site.</summary>
    /// <param name="role">The role.</param>
    /// <param name="site">The site.</param>
    /// <returns>The notifications, in order.</returns>
    public IReadOnlyList<SentNotification> SentTo(Role role, SiteId site)
    {
        var result = new List<SentNotification>();
        foreach (var notification in _sent)
        {
            if (notification.Request.Site == site && notification.Request.Roles.Contains(role))
            {
                result.Add(notification);
            }
        }

        return result;
    }

    /// <inheritdoc />
    public ValueTask<AdapterResult> SendAsync(SendNotificationRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, StripeFor(request?.Context?.IdempotencyKey ?? string.Empty), _send, cancellationToken);

    private CommandPlan PlanSend(SendNotificationRequest request)
    {
        if (request.Roles is null || request.Roles.Count == 0)
        {
            return CommandPlan.Refuse(ReasonCodes.Required, "A notification needs at least one role.");
        }

        if (string.IsNullOrWhiteSpace(request.Subject))
        {
            return CommandPlan.Refuse(ReasonCodes.Required, "A notification needs a subject.");
        }

        var id = NextReference("MSG-");
        var sent = new SentNotification { Id = id, SentAt = TimeProvider.GetUtcNow(), Request = request };
        return CommandPlan.Apply(
            string.Concat(request.Severity.ToString(), " to ", string.Join(",", request.Roles), "@", request.Site.Value, ": ", request.Subject),
            () => _sent.Enqueue(sent),
            lot: request.Lot?.Value,
            order: request.Order?.Value,
            externalReference: id);
    }

    /// <inheritdoc />
    ValueTask<AdapterResult> ICommandHandler<SendNotificationRequest>.ExecuteAsync(SendNotificationRequest command, CancellationToken cancellationToken) => SendAsync(command, cancellationToken);
}
