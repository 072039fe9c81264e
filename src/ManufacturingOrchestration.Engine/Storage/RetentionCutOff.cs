namespace ManufacturingOrchestration.Engine.Storage;

/// <summary>
/// Where a store's retention window ends: what a background prune passes to
/// <see cref="IOrchestrationStore.PruneAsync"/>. One rule for every store, the ones of a connector author included.
/// </summary>
public static class RetentionCutOff
{
    /// <summary>
    /// The cut-off of <paramref name="window"/> at <paramref name="now"/>: <paramref name="now"/> minus the window, or
    /// <see cref="DateTimeOffset.MinValue"/> — nothing is older, so nothing is pruned — when the window reaches back before
    /// the first moment a <see cref="DateTimeOffset"/> can hold (the settings accept up to <see cref="TimeSpan.MaxValue"/>).
    /// </summary>
    /// <param name="now">Now, on the store's clock.</param>
    /// <param name="window">The retention window.</param>
    /// <returns>The cut-off.</returns>
    public static DateTimeOffset At(DateTimeOffset now, TimeSpan window) =>
        window >= now - DateTimeOffset.MinValue ? DateTimeOffset.MinValue : now - window;
}
