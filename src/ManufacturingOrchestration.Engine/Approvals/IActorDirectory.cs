using System.Collections.Concurrent;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Engine.Approvals;

/// <summary>
/// Who exists and which roles they hold at which sites. The engine never trusts a role it cannot resolve here:
/// approvals and operator actions are checked against this directory, not against what a caller claims.
/// </summary>
public interface IActorDirectory
{
    /// <summary>Finds an actor.</summary>
    /// <param name="actor">The actor id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The actor, or <see langword="null"/> when unknown.</returns>
    ValueTask<Actor?> FindAsync(ActorId actor, CancellationToken cancellationToken = default);
}

/// <summary>An actor directory kept in memory, for tests, samples and small deployments.</summary>
public sealed class InMemoryActorDirectory : IActorDirectory
{
    private readonly ConcurrentDictionary<ActorId, Actor> _actors = new();

    /// <summary>Creates a directory with the given actors.</summary>
    /// <param name="actors">The actors.</param>
    public InMemoryActorDirectory(IEnumerable<Actor>? actors = null)
    {
        foreach (var actor in actors ?? [])
        {
            Add(actor);
        }
    }

    /// <summary>Adds or replaces an actor.</summary>
    /// <param name="actor">The actor.</param>
    /// <returns>This directory.</returns>
    public InMemoryActorDirectory Add(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        _actors[actor.Id] = actor;
        return this;
    }

    /// <inheritdoc />
    public ValueTask<Actor?> FindAsync(ActorId actor, CancellationToken cancellationToken = default) =>
        new(_actors.TryGetValue(actor, out var found) ? found : null);
}
