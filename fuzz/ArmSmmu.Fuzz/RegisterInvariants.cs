using System.Runtime.CompilerServices;
using ArmSmmu.Structures;

namespace ArmSmmu.Fuzz;

/// <summary>
/// What must hold after every guest operation, whatever the guest did (IHI0070 chapter 6, §3.5, §7.1; ARCHITECTURE.md):
/// <list type="bullet">
/// <item>the ID registers never change (read-only);</item>
/// <item>CR0ACK equals CR0 and IRQ_CTRLACK equals IRQ_CTRL (this model acknowledges at once), and neither shows a RES0 bit;</item>
/// <item>GBPA.Update reads 0 (the update completes at once);</item>
/// <item>GERROR and GERRORN hold only defined error bits (0x1FD);</item>
/// <item>CMDQ_CONS holds only RD (within log2 size + wrap) and ERR, with ERR a defined code, unless the guest itself
/// wrote CMDQ_CONS (software may initialise it); while CMDQEN = 1 and no CMDQ_ERR is active, CONS has caught up with
/// PROD (commands are consumed synchronously);</item>
/// <item>EVENTQ_PROD holds only WR + wrap and OVFLG unless the guest wrote it, and when the device produced an event
/// the queue is never fuller than its size (PROD does not overtake CONS).</item>
/// </list>
/// </summary>
internal sealed class RegisterInvariants
{
    private static readonly ulong[] IdRegisters = [SmmuRegister.IDR0, SmmuRegister.IDR1, SmmuRegister.IDR2, SmmuRegister.IDR3, SmmuRegister.IDR4, SmmuRegister.IDR5, SmmuRegister.IIDR, SmmuRegister.AIDR];
    private const uint GerrorBits = 0x1FD;
    private readonly SmmuV3 _device;
    private readonly uint[] _ids;
    private readonly int _cmdqMax;
    private readonly int _eventqMax;
    private uint _lastEventProd;
    private bool _eventQueueSane = true;
    private readonly HashSet<ulong> _guestWritten = [];
    private bool _eventQueueRegisterWritten;

    /// <summary>Notes a guest write that covers <paramref name="offset"/> (page-0 aliases of page-1 registers included).</summary>
    public void GuestWrote(ulong offset, int width)
    {
        _eventQueueRegisterWritten |= (offset | SmmuRegister.Page1) is >= SmmuRegister.EVENTQ_BASE + SmmuRegister.Page1 and <= SmmuRegister.EVENTQ_CONS
            || offset is >= SmmuRegister.EVENTQ_BASE and < SmmuRegister.EVENTQ_BASE + 8;
        for (ulong o = offset; o < offset + (ulong)width; o += 4)
        {
            _guestWritten.Add(o);
            _guestWritten.Add(o ^ SmmuRegister.Page1);
        }
    }

    public RegisterInvariants(SmmuV3 device)
    {
        _device = device;
        _ids = [.. IdRegisters.Select(device.ReadRegister32)];
        uint idr1 = device.ReadRegister32(SmmuRegister.IDR1);
        _cmdqMax = (int)((idr1 >> 21) & 0x1F);
        _eventqMax = (int)((idr1 >> 16) & 0x1F);
        _lastEventProd = device.ReadRegister32(SmmuRegister.EVENTQ_PROD);
    }

    public void Check(GuestOp after)
    {
        // The device reacts to MMIO and transactions only, never to memory by itself: a memory write leaves every
        // register as it was, so its check is skipped. Only a register write could disturb an ID register.
        if (after is GuestOp.WriteMemory or GuestOp.WriteRegion or GuestOp.WriteBlock)
        {
            return;
        }

        if (after is GuestOp.Write32 or GuestOp.Write64 or GuestOp.BringUp)
        {
            for (int i = 0; i < IdRegisters.Length; i++)
            {
                Require(_device.ReadRegister32(IdRegisters[i]) == _ids[i], after, $"ID register 0x{IdRegisters[i]:X} changed");
            }
        }

        uint cr0 = _device.ReadRegister32(SmmuRegister.CR0);
        Require(_device.ReadRegister32(SmmuRegister.CR0ACK) == cr0, after, $"CR0ACK != CR0");
        Require((cr0 & ~0x1DFu) == 0, after, $"CR0 0x{cr0:X} has RES0 bits");
        uint irqCtrl = _device.ReadRegister32(SmmuRegister.IRQ_CTRL);
        Require(_device.ReadRegister32(SmmuRegister.IRQ_CTRLACK) == irqCtrl && (irqCtrl & ~7u) == 0, after, $"IRQ_CTRL 0x{irqCtrl:X} / ACK mismatch");
        Require((_device.ReadRegister32(SmmuRegister.GBPA) & (1u << 31)) == 0, after, $"GBPA.Update stays set");

        uint gerror = _device.ReadRegister32(SmmuRegister.GERROR);
        uint gerrorn = _device.ReadRegister32(SmmuRegister.GERRORN);
        Require(((gerror | gerrorn) & ~GerrorBits) == 0, after, $"GERROR 0x{gerror:X} / GERRORN 0x{gerrorn:X} undefined bits");

        int cmdqLog2 = QueueLog2(SmmuRegister.CMDQ_BASE, _cmdqMax);
        uint cons = _device.ReadRegister32(SmmuRegister.CMDQ_CONS);
        uint err = (cons >> 24) & 0x7F;
        Require(_guestWritten.Contains(SmmuRegister.CMDQ_CONS) || _guestWritten.Contains(SmmuRegister.CMDQ_BASE) || (cons & ~((0x7Fu << 24) | ((2u << cmdqLog2) - 1))) == 0, after, $"CMDQ_CONS 0x{cons:X} outside RD/ERR for log2 size {cmdqLog2}");
        Require(err <= 3, after, $"CMDQ_CONS.ERR {err} undefined");
        bool cmdqError = ((gerror ^ gerrorn) & 1) != 0;
        uint prod = _device.ReadRegister32(SmmuRegister.CMDQ_PROD);
        uint wrapMask = (2u << cmdqLog2) - 1;
        if ((cr0 & 8) != 0 && !cmdqError)
        {
            Require((cons & wrapMask) == (prod & wrapMask), after, $"CMDQ_CONS 0x{cons:X} behind PROD 0x{prod:X} with no error");
        }

        CheckEventQueue(after);
    }

    /// <summary>A translation result is one of the architected outcomes, consistently described.</summary>
    public static void CheckResult(in TranslationRequest request, in TranslationResult result)
    {
        bool success = result.Outcome is TranslationOutcome.Translated or TranslationOutcome.Bypassed;
        Require(success == result.IsSuccess, GuestOp.Translate, $"{request}: IsSuccess disagrees with {result.Outcome}");
        Require(!result.FaultRecorded || !success, GuestOp.Translate, $"{request}: a successful translation recorded a fault");
        Require(Enum.IsDefined(result.Outcome), GuestOp.Translate, $"{request}: outcome {(int)result.Outcome}");
    }

    private void CheckEventQueue(GuestOp after)
    {
        int log2 = QueueLog2(SmmuRegister.EVENTQ_BASE, _eventqMax);
        uint wrapMask = (2u << log2) - 1;
        uint prod = _device.ReadRegister32(SmmuRegister.EVENTQ_PROD);
        Require(_guestWritten.Contains(SmmuRegister.EVENTQ_PROD) || _guestWritten.Contains(SmmuRegister.EVENTQ_BASE) || (prod & ~(wrapMask | (1u << 31))) == 0, after, $"EVENTQ_PROD 0x{prod:X} outside WR/OVFLG for log2 size {log2}");
        uint cons = _device.ReadRegister32(SmmuRegister.EVENTQ_CONS) & wrapMask;
        uint used = ((prod & wrapMask) - cons) & wrapMask;
        if (_eventQueueSane && !_eventQueueRegisterWritten && ((prod ^ _lastEventProd) & wrapMask) != 0)
        {
            // The device wrote events into a queue the guest left consistent: it may fill the queue, never overtake
            // CONS (IHI0070 §3.5.2). A guest that moved CONS past PROD is CONSTRAINED UNPREDICTABLE, so not checked.
            Require(used <= 1u << log2, after, $"event queue holds {used} entries, more than {1u << log2} (PROD 0x{prod:X}, CONS 0x{cons:X})");
        }

        _eventQueueSane = used <= 1u << log2;
        _eventQueueRegisterWritten = false;
        _lastEventProd = prod;
    }

    private int QueueLog2(ulong baseRegister, int max) => (int)Math.Min(_device.ReadRegister64(baseRegister) & 0x1F, (ulong)max);

    private static void Require(bool condition, GuestOp after, [InterpolatedStringHandlerArgument(nameof(condition))] FailureMessage what)
    {
        if (!condition)
        {
            throw new InvariantViolationException($"after {after}: {what.ToStringAndClear()}");
        }
    }
}
