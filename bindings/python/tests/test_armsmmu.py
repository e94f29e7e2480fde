"""Tests of the Python binding over libarmsmmu: a stage-1 bring-up, translations, faults and host errors."""

import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from armsmmu import *  # noqa: E402,F403 - the package's public names, as a user imports them
from armsmmu.driver import AP_RO_ANY, CMDQEN, EVENTQ_IRQEN, EVENTQEN, SMMUEN, Stage1Driver  # noqa: E402

SID, ASID, VA, PA = 0x10, 1, 0x4000_1000, 0x8000_0000


class Stage1Test(unittest.TestCase):
    def setUp(self):
        self.smmu = Smmu()
        self.driver = Stage1Driver(self.smmu)
        self.ttb0 = self.driver.stage1_stream(SID, ASID)
        self.pte = self.driver.map_page(self.ttb0, VA, PA)

    def tearDown(self):
        self.smmu.close()

    def test_bring_up_enables_the_queues_and_translation(self):
        self.assertEqual(self.driver.cr0ack, SMMUEN | EVENTQEN | CMDQEN)

    def test_mapped_page_translates_to_its_pa_plus_offset(self):
        result = self.smmu.translate(SID, VA + 0x234, Access.WRITE)
        self.assertEqual(result.outcome, Outcome.TRANSLATED)
        self.assertTrue(result.ok)
        self.assertEqual(result.physical_address, PA + 0x234)
        self.assertEqual(result.page_shift, 12)
        self.assertEqual(result.fault, EventType.NONE)

    def test_write_to_read_only_page_is_a_permission_fault(self):
        self.driver.map_page(self.ttb0, VA + 0x1000, PA + 0x1000, AP_RO_ANY)
        self.assertEqual(self.smmu.translate(SID, VA + 0x1000, Access.READ).physical_address, PA + 0x1000)
        result = self.smmu.translate(SID, VA + 0x1000, Access.WRITE)
        self.assertEqual(result.outcome, Outcome.FAULTED)
        self.assertEqual(result.fault, EventType.F_PERMISSION)  # IHI0070 §7.3.16: AP[2] = 1 forbids writes

    def test_unmap_with_tlbi_and_sync_gives_a_recorded_translation_fault(self):
        self.smmu.translate(SID, VA, Access.READ)  # fills the TLB
        self.driver.unmap_page(self.pte, ASID, VA)
        result = self.smmu.translate(SID, VA + 0x234, Access.READ)
        self.assertEqual(result.outcome, Outcome.FAULTED)
        self.assertEqual(result.fault, EventType.F_TRANSLATION)
        self.assertTrue(result.fault_recorded)
        # IHI0070 §7.3.12 record: type | StreamID << 32; RnW (bit 35) and CLASS = IN (bits 41:40 = 2); InputAddr.
        self.assertEqual(self.driver.events(), [[0x10 | SID << 32, 1 << 35 | 2 << 40, VA + 0x234, 0]])

    def test_unconfigured_stream_is_a_bad_ste_not_an_exception(self):
        self.assertEqual(self.smmu.translate(SID + 1, VA).fault, EventType.C_BAD_STE)

    def test_explain_names_the_walk_and_the_result(self):
        text = self.smmu.explain(SID, VA + 8)
        self.assertIn("level 3", text)
        self.assertIn(f"Translated -> 0x{PA + 8:X}", text)
        self.assertEqual(self.smmu.statistics().walks, 0)  # explaining changes nothing

    def test_statistics_count_hits_walks_and_commands(self):
        for _ in range(3):
            self.smmu.translate(SID, VA)
        stats = self.smmu.statistics()
        self.assertEqual((stats.tlb_misses, stats.tlb_hits, stats.walks, stats.descriptor_reads), (1, 2, 1, 3))
        self.assertEqual(stats.commands, 2)  # CFGI_STE + CMD_SYNC
        self.smmu.reset_statistics()
        self.assertEqual(self.smmu.statistics().tlb_hits, 0)

    def test_a_port_translates_as_the_device_and_its_hits_are_counted(self):
        with self.smmu.open_port() as port:
            through_port = [port.translate(SID, VA + 0x48) for _ in range(3)]
        self.assertEqual(through_port[-1], self.smmu.translate(SID, VA + 0x48))
        self.assertEqual(through_port[0].physical_address, PA + 0x48)
        stats = self.smmu.statistics()
        self.assertEqual((stats.tlb_misses, stats.tlb_hits, stats.walks), (1, 3, 1))

    def test_broadcast_tlbi_removes_the_cached_page_3_17(self):
        self.smmu.translate(SID, VA)  # fills the TLB
        self.smmu.write64(self.pte, 0)  # a stale entry may still be used (IHI0070 §3.21)
        self.assertEqual(self.smmu.translate(SID, VA).physical_address, PA)
        self.assertEqual(self.smmu.broadcast_tlbi(Tlbi.VAE1IS, VA, asid=ASID), 1)
        self.assertEqual(self.smmu.translate(SID, VA).fault, EventType.F_TRANSLATION)
        self.assertEqual(self.smmu.statistics().broadcast_tlbi, 1)
        with self.assertRaises(InvalidArgumentError):
            self.smmu.broadcast_tlbi(Tlbi.ALLE2IS)  # an EL2 operation from EL1

    def test_translations_from_several_threads_agree(self):
        wrong = []

        def work(page):
            for offset in range(0, 4096, 16):
                if self.smmu.translate(SID, VA + offset).physical_address != PA + offset:
                    wrong.append((page, offset))

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(wrong, [])

    def test_reset_returns_to_gbpa_bypass(self):
        self.smmu.reset()
        self.assertEqual(self.smmu.read_register32(0x20), 0)
        self.assertEqual(self.smmu.translate(SID, VA).outcome, Outcome.BYPASSED)

    def test_save_reset_restore_translates_again(self):
        snapshot = self.smmu.save_state()
        self.assertTrue(snapshot.startswith(b"{"))
        self.smmu.reset()
        self.smmu.restore_state(snapshot)
        self.assertEqual(self.smmu.translate(SID, VA + 8).physical_address, PA + 8)
        with self.assertRaises(InvalidArgumentError) as caught:
            self.smmu.restore_state(b"{}")
        self.assertIn("armsmmu.smmuv3", str(caught.exception))


class SecureStreamTest(unittest.TestCase):
    """IHI0070 §3.10, §5.2: a Secure stream walks the Secure Stream table; STE.NSCFG of a bypass STE chooses the output
    PA space (0b10 Secure, 0b11 Non-secure, 0b00 the incoming one: Secure), reported as non_secure."""

    S_CR0, S_CR0ACK, S_STRTAB_BASE, S_STRTAB_BASE_CFG = 0x8020, 0x8024, 0x8080, 0x8088
    STRTAB = 0x2000_0000

    def test_secure_bypass_ste_nscfg_chooses_the_output_space_3_10(self):
        with Smmu() as smmu:
            for sid, nscfg in enumerate((0b10, 0b11, 0b00)):
                smmu.write64(self.STRTAB + 64 * sid, 1 | (0b100 << 1))  # V, Config = bypass
                smmu.write64(self.STRTAB + 64 * sid + 8, nscfg << 46)  # NSCFG [111:110]
            smmu.write_register64(self.S_STRTAB_BASE, self.STRTAB)
            smmu.write_register32(self.S_STRTAB_BASE_CFG, 2)  # linear, 4 entries
            smmu.write_register32(self.S_CR0, 1)  # SMMUEN
            self.assertEqual(smmu.read_register32(self.S_CR0ACK) & 1, 1)
            spaces = [smmu.translate(sid, 0x5000, secure=True) for sid in range(3)]
            self.assertEqual([r.outcome for r in spaces], [Outcome.BYPASSED] * 3)
            self.assertEqual([r.non_secure for r in spaces], [False, True, False])
            # The same StreamID without SEC_SID: GBPA bypass on the Non-secure side, always Non-secure.
            self.assertTrue(smmu.translate(0, 0x5000).non_secure)
            fault = smmu.translate(3, 0x5000, secure=True)  # an invalid STE: C_BAD_STE, no output
            self.assertEqual((fault.outcome, fault.non_secure), (Outcome.FAULTED, False))

    def test_el3_broadcast_tlbis_are_issued_from_el3_only_3_17_2(self):
        with Smmu() as smmu:
            self.assertEqual(smmu.broadcast_tlbi(Tlbi.ALLE3IS, exception_level=3), 0)  # nothing cached
            self.assertEqual(smmu.statistics().broadcast_tlbi, 1)  # S_CR2.PTM = 0 at reset: acted on
            with self.assertRaises(InvalidArgumentError):
                smmu.broadcast_tlbi(Tlbi.VAE3IS, exception_level=1)


class HostErrorTest(unittest.TestCase):
    def test_version_is_major_minor_patch(self):
        self.assertRegex(version(), r"^\d+\.\d+\.\d+$")

    def test_register_offset_outside_the_pages_raises(self):
        with Smmu() as smmu:
            with self.assertRaises(InvalidArgumentError) as caught:
                smmu.read_register32(0x20000)
            self.assertEqual(caught.exception.code, -1)
            self.assertIn("0x20000", str(caught.exception))
            with self.assertRaises(ArmSmmuError):
                smmu.write_register64(0x84, 0)  # misaligned

    def test_closed_device_is_a_null_handle(self):
        smmu = Smmu()
        smmu.close()
        with self.assertRaises(InvalidArgumentError) as caught:
            smmu.translate(1, 0)
        self.assertIn("NULL", str(caught.exception))

    def test_bad_access_value_is_rejected(self):
        with Smmu() as smmu, self.assertRaises(InvalidArgumentError):
            smmu.translate(1, 0, access=5)

    def test_illegal_features_raise_with_the_reason(self):
        with self.assertRaises(InvalidArgumentError) as caught:
            Smmu(Features(stage1=False, stage2=False))
        self.assertIn("stage", str(caught.exception))

    def test_error_classes(self):
        self.assertTrue(issubclass(BufferTooSmallError, ArmSmmuError))
        self.assertTrue(issubclass(MemoryAbortError, ArmSmmuError))


class FeaturesTest(unittest.TestCase):
    def test_features_reach_the_id_registers(self):
        with Smmu(Features(stage2=False, output_address_bits=40)) as smmu:
            self.assertEqual(smmu.read_register32(0x0) & 3, 2)  # IDR0: S1P only
            self.assertEqual(smmu.read_register32(0x14) & 7, 2)  # IDR5.OAS: 40 bits
            self.assertEqual(smmu.features.output_address_bits, 40)
            self.assertFalse(smmu.features.stage2)

    def test_without_a_tlb_every_translation_walks(self):
        with Smmu(Features(tlb_entries=0)) as smmu:
            driver = Stage1Driver(smmu)
            driver.map_page(driver.stage1_stream(SID, ASID), VA, PA)
            smmu.translate(SID, VA)
            smmu.translate(SID, VA)
            self.assertEqual(smmu.statistics().walks, 2)


class RamMemory:
    """Guest RAM as a bytearray at [base, base + size); other addresses are external aborts."""

    def __init__(self, base, size):
        self.base, self.ram = base, bytearray(size)

    def _inside(self, address, length):
        return self.base <= address and address + length <= self.base + len(self.ram)

    def read(self, address, length):
        if not self._inside(address, length):
            return None
        return bytes(self.ram[address - self.base : address - self.base + length])

    def write(self, address, data):
        if not self._inside(address, len(data)):
            return False
        self.ram[address - self.base : address - self.base + len(data)] = data
        return True


class CustomMemoryTest(unittest.TestCase):
    def test_tables_in_python_memory_and_a_walk_abort(self):
        memory = RamMemory(0x1000_0000, 1 << 20)
        with Smmu(memory=memory) as smmu:
            driver = Stage1Driver(smmu)
            ttb0 = driver.stage1_stream(SID, ASID)
            driver.map_page(ttb0, VA, PA)
            self.assertEqual(memory.ram[0x400] & 0xF, 0xB)  # STE 0x10: V, Config 0b101
            self.assertEqual(smmu.translate(SID, VA + 4).physical_address, PA + 4)
            # A level-1 table descriptor pointing outside the RAM: the level-2 read aborts (IHI0070 §7.3.11).
            va = 0x8000_0000
            smmu.write64(ttb0 + 8 * ((va >> 30) & 0x1FF), 0xF000_0000 | 3)
            result = smmu.translate(SID, va)
            self.assertEqual(result.fault, EventType.F_WALK_EABT)
            record = driver.events()[-1]
            self.assertEqual(record[0] & 0xFF, EventType.F_WALK_EABT)
            self.assertEqual(record[3] & ~7, 0xF000_0000 + 8 * ((va >> 21) & 0x1FF))  # FetchAddr
            with self.assertRaises(MemoryAbortError):
                smmu.read_memory(0x100, 8)


class InterruptTest(unittest.TestCase):
    def test_event_queue_line_pulses_on_a_recorded_fault(self):
        lines = []
        with Smmu() as smmu:
            smmu.on_interrupt(lines.append)
            driver = Stage1Driver(smmu, irq_ctrl=EVENTQ_IRQEN)
            driver.stage1_stream(SID, ASID)
            smmu.translate(SID, 0x5000)
            self.assertEqual(lines, [Interrupt.EVENTQ])
            driver.events()  # empty again: the next record would pulse the line
            smmu.on_interrupt(None)
            smmu.translate(SID, 0x6000)
            self.assertEqual(lines, [Interrupt.EVENTQ])


if __name__ == "__main__":
    unittest.main()
