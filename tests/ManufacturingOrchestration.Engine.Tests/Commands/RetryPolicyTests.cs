using ManufacturingOrchestration.Engine.Commands;

namespace ManufacturingOrchestration.Engine.Tests.Commands;

public sealed class RetryPolicyTests
{
    private static readonly RetryPolicy Policy = new() { InitialDelay = TimeSpan.FromMinutes(1), Jitter = 0, MaxDelay = TimeSpan.FromHours(4), MaxRetryAfter = TimeSpan.FromHours(1) };

    [Theory]
    [InlineData(1, null, 60)]
    [InlineData(1, 30, 60)]
    [InlineData(1, 90, 90)]
    [InlineData(1, 60 * 60, 60 * 60)]
    [InlineData(1, (60 * 60) + 1, 60 * 60)]
    [InlineData(1, 60 * 60 * 24 * 365, 60 * 60)]
    [InlineData(8, 60 * 60 * 24 * 365, 128 * 60)]
    [InlineData(8, 60, 128 * 60)]
    public void NextDelay_TheTargetsWaitHonouredWhenLongerUpToTheLongestHonoured(int attempt, int? retryAfterSeconds, int expectedSeconds)
    {
        var retryAfter = retryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : (TimeSpan?)null;

        Policy.NextDelay(attempt, retryAfter, new Random(1)).Should().Be(TimeSpan.FromSeconds(expectedSeconds));
    }
}
