using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using static ManufacturingOrchestration.Testing.Tests.Support.Seed;

namespace ManufacturingOrchestration.Testing.Tests.Simulators;

public sealed class ProcurementSimulatorTests
{
    [Fact]
    public async Task RequestAlternateSupplyAsync_SkipsExcludedSupplier()
    {
        var procurement = new ProcurementSimulator();

        var result = await procurement.RequestAlternateSupplyAsync(new RequestAlternateSupplyRequest
        {
            Context = Context(),
            Material = Capacitor,
            Site = Plant,
            Quantity = Ea(500),
            ExcludedSupplier = Supplier,
            PreferredSuppliers = [Supplier, new SupplierId("SUP-BETA")],
        }, CancellationToken.None);

        result.ExternalReference.Should().StartWith("PR-");
        procurement.AlternateSupplyRequests.Should().ContainSingle().Which.RoutedTo.Should().Be(new SupplierId("SUP-BETA"));
    }
}

public sealed class NotificationSimulatorTests
{
    [Fact]
    public async Task SendAsync_RecordsNotificationForEachRoleAtSite()
    {
        var notifications = new NotificationSimulator();

        await notifications.SendAsync(new SendNotificationRequest { Context = Context(), Roles = [Role.Planner, Role.Buyer], Site = Plant, Subject = "Lot blocked" }, CancellationToken.None);

        notifications.SentTo(Role.Buyer, Plant).Should().ContainSingle();
        notifications.SentTo(Role.QualityManager, Plant).Should().BeEmpty();
    }

    [Fact]
    public async Task SendAsync_NoRoles_IsRefused()
    {
        var notifications = new NotificationSimulator();

        var result = await notifications.SendAsync(new SendNotificationRequest { Context = Context(), Roles = [], Site = Plant, Subject = "x" }, CancellationToken.None);

        result.Reason.Should().Be(ReasonCodes.Required);
        notifications.Sent.Should().BeEmpty();
    }
}
