using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing.Tests.Adapters;

public sealed class AdapterResultTests
{
    [Fact]
    public void AlreadyApplied_IsSuccessButNotSucceeded()
    {
        var result = AdapterResult.AlreadyApplied("4900000001");

        result.IsSuccess.Should().BeTrue();
        result.Status.Should().Be(AdapterResultStatus.AlreadyApplied);
        result.ExternalReference.Should().Be("4900000001");
    }

    [Fact]
    public void Transient_NegativeRetryAfter_Throws()
    {
        var create = () => AdapterResult.Transient(ReasonCodes.AdapterTransient, "x", TimeSpan.FromSeconds(-1));

        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Permanent_CarriesReasonAndIsNotRetryable()
    {
        var result = AdapterResult.Permanent(ReasonCodes.WithdrawalNotUnrestricted, "QI stock");

        result.IsTransient.Should().BeFalse();
        result.IsSuccess.Should().BeFalse();
        result.ToString().Should().Contain("lot.withdrawal-not-unrestricted");
    }

    [Fact]
    public void Stale_IsNeitherSuccessNorRetryableNorPermanent()
    {
        var result = AdapterResult.Stale(ReasonCodes.InsufficientQuantity, "40 EA consumed meanwhile");

        result.Status.Should().Be(AdapterResultStatus.Stale);
        result.IsStale.Should().BeTrue();
        result.IsSuccess.Should().BeFalse();
        result.IsTransient.Should().BeFalse();
        result.IsPermanent.Should().BeFalse("the engine decides again instead of dead-lettering");
        result.Reason.Should().Be(ReasonCodes.InsufficientQuantity);
        result.ToString().Should().Be("Stale: lot.insufficient-quantity 40 EA consumed meanwhile");
    }
}
