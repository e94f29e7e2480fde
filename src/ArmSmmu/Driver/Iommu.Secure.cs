namespace ArmSmmu.Driver;

/// <content>The Secure side of the seed-style API (IHI0070 §3.10): a second <see cref="Iommu"/> driving the SMMU_S_* page.</content>
public sealed partial class Iommu
{
    private Iommu? _secure;

    /// <summary>
    /// The Secure side, as Secure firmware sees it: streams configured, mapped and translated here are Secure streams
    /// (SEC_SID = 1) of the same SMMU, with their own Secure Stream table, queues and page tables, sharing this Iommu's
    /// memory and allocator. Created and brought up (SMMU_S_CR0 and the Secure queues) on first use; null when the SMMU
    /// has no Secure programming interface (<see cref="SmmuFeatures.Secure"/>, S_IDR1.SECURE_IMPL = 0). On the Secure
    /// side itself it is null; its <see cref="Translate"/> always presents Secure transactions.
    /// </summary>
    /// <remarks><see cref="Reset"/> of this (Non-secure) Iommu resets the device and brings both sides up again, empty.</remarks>
    public Iommu? Secure
    {
        get
        {
            if (IsSecureWorld || (Device.ReadRegister32(Structures.SmmuRegister.S_IDR1) & (1u << 31)) == 0)
            {
                return null;
            }

            lock (_lock)
            {
                return _secure ??= new Iommu(Device, Memory, Driver.Allocator, Driver.Options with { SecureWorld = true });
            }
        }
    }

    private bool IsSecureWorld => Driver.Options.SecureWorld;

    private void RequireNonSecureWorld()
    {
        if (IsSecureWorld)
        {
            throw new InvalidOperationException("Reset the SMMU through the Non-secure Iommu: a device reset clears both security states.");
        }
    }

    // Before a device reset: every stream's structures go back to the allocator, and the driver shuts its side down.
    private void ShutDown()
    {
        lock (_lock)
        {
            foreach (var state in _streams.Values)
            {
                Release(state);
            }

            _streams.Clear();
            _faults.Clear();
            Driver.Shutdown();
        }
    }
}
