# The guest's PCI layout, shared by boot.sh (which puts each device behind a
# root port at these slots of bus 0) and lib.sh (which finds it there): a
# device is found by where the guest was booted with it, not by a name the
# guest's drivers give it.
slot_nic=02          # pcie-root-port -> e1000e alone in its IOMMU group
slot_bridged_nic=03  # ioh3420 (no ACS) -> e1000e sharing the group with the port
slot_gpu=04          # pcie-root-port -> VGA (fn 0) + intel-hda (fn 1), one group
slot_pair=05         # pcie-root-port -> e1000e pair (fn 0, fn 1), one group
slot_9p=06           # virtio-9p: this machine's root
slot_nvme_mp=07      # pcie-root-port -> nvme in an nvme-subsys (multipath layout)
slot_nvme_plain=08   # pcie-root-port -> nvme, plain
slot_nvme_sriov=09   # pcie-root-port -> nvme PF with 2 VFs
slot_igb=0a          # pcie-root-port -> igb (82576) PF with 7 VFs
