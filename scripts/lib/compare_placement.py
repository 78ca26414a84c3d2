#!/usr/bin/env python3
"""Does libvirt place every device where vmrun does?

usage: compare_placement.py VMRUN_ARGV_JSON LIBVIRT_ARGV EXPORTED_XML DUMPED_XML

VMRUN_ARGV_JSON is 'vmrun dry-run --json'; LIBVIRT_ARGV is 'virsh
domxml-to-native qemu-argv' (a shell-quoted line, -device values as JSON).
A device's place is its guest slot.function on pcie.0, or its root port's
slot.function plus its own when it sits behind one; ids differ between the
two (libvirt names root ports by their alias), places must not. Prints a
PASS:/FAIL: line per check.
"""
import json
import shlex
import sys
import xml.etree.ElementTree as ET

failed = False


def report(ok, what):
    global failed
    print(("PASS: " if ok else "FAIL: ") + what)
    failed = failed or not ok


def parse_option(text):
    """QEMU's 'driver,key=value' with ',,' for a comma inside a value."""
    parts, cur, i = [], "", 0
    while i < len(text):
        if text[i] == ",":
            if text[i + 1:i + 2] == ",":
                cur, i = cur + ",", i + 2
                continue
            parts.append(cur)
            cur, i = "", i + 1
            continue
        cur, i = cur + text[i], i + 1
    parts.append(cur)
    out = {"driver": parts[0]}
    for p in parts[1:]:
        key, _, value = p.partition("=")
        out[key] = value
    return out


def devices(argv):
    out = []
    for i, arg in enumerate(argv[:-1]):
        if arg == "-device":
            value = argv[i + 1]
            out.append(json.loads(value) if value.startswith("{") else parse_option(value))
    return out


def slot_function(addr):
    if addr is None:
        return None
    slot, _, function = str(addr).partition(".")
    return (int(slot, 0), int(function, 0) if function else 0)


def on(value):
    return value in (True, "on", "true", 1)


ROOT_PORTS = ("ioh3420", "pcie-root-port")


def placements(devs):
    """(driver, place) -> device, for everything on PCI or an IDE/SCSI port."""
    ports = {d["id"]: slot_function(d.get("addr")) for d in devs if d["driver"] in ROOT_PORTS}
    out = {}
    scsi_next = 0
    for d in devs:
        bus = d.get("bus")
        if bus == "pcie.0":
            place = ("pcie.0", slot_function(d.get("addr")))
        elif bus in ports:
            place = ("root port at %02x.%x" % ports[bus], slot_function(d.get("addr")))
        elif bus and bus.startswith("ide."):
            place = (bus, None)
        elif bus and bus.startswith("scsi"):
            # Without scsi-id QEMU gives each disk the next free target, LUN 0.
            target = int(d["scsi-id"]) if "scsi-id" in d else scsi_next
            scsi_next = target + 1
            place = ("scsi target %d" % target, (0, int(d.get("lun", 0))))
        else:
            continue
        out[(d["driver"], place)] = d
    return out


def xml_place(domain, address):
    """An <address type='pci'> as a place: libvirt's bus N is the controller with index N."""
    bus, here = int(address.get("bus"), 0), (int(address.get("slot"), 0), int(address.get("function"), 0))
    if bus == 0:
        return ("pcie.0", here)
    for c in domain.iter("controller"):
        if c.get("type") == "pci" and int(c.get("index")) == bus:
            a = c.find("address")
            return ("root port at %02x.%x" % (int(a.get("slot"), 0), int(a.get("function"), 0)), here)
    return ("bus %d" % bus, here)


NIC_DRIVERS = ("virtio-net-pci", "e1000e", "e1000")


def main():
    vmrun_argv = json.load(open(sys.argv[1]))
    libvirt_argv = shlex.split(open(sys.argv[2]).read())
    exported = ET.parse(sys.argv[3]).getroot()
    dumped = ET.parse(sys.argv[4]).getroot()

    ours = placements(devices(vmrun_argv))
    theirs = placements(devices(libvirt_argv))
    report(len(ours) > 0, "vmrun places %d devices" % len(ours))
    for (driver, place), d in sorted(ours.items(), key=lambda kv: str(kv[0])):
        name = "%s '%s' at %s %s" % (driver, d.get("id", "?"), place[0], "" if place[1] is None else "%02x.%x" % place[1])
        if driver in NIC_DRIVERS:
            # domxml-to-native turns every NIC into a plain tap and lets
            # libvirt place it anew; the defined domain keeps the address.
            back = [i for i in dumped.iter("interface") if i.find("mac").get("address") == d.get("mac")]
            got = xml_place(dumped, back[0].find("address")) if back and back[0].find("address") is not None else None
            report(got == place, name + ": in the defined domain at %s" % (got,))
            continue
        other = theirs.get((driver, place))
        if other is None:
            elsewhere = [str(place) for (drv, place) in theirs if drv == driver]
            report(False, name + ": libvirt has no %s there (it has: %s)" % (driver, ", ".join(elsewhere) or "none"))
            continue
        problems = []
        if on(d.get("multifunction")) != on(other.get("multifunction")):
            problems.append("multifunction %s vs %s" % (d.get("multifunction"), other.get("multifunction")))
        if driver == "vfio-pci":
            if d.get("host") != other.get("host"):
                problems.append("host %s vs %s" % (d.get("host"), other.get("host")))
            if on(d.get("x-vga")) != on(other.get("x-vga")):
                problems.append("x-vga %s vs %s" % (d.get("x-vga"), other.get("x-vga")))
        if driver in ROOT_PORTS:
            for key in ("chassis", "port"):
                if int(str(d.get(key)), 0) != int(str(other.get(key)), 0):
                    problems.append("%s %s vs %s" % (key, d.get(key), other.get(key)))
        report(not problems, name + (": " + ", ".join(problems) if problems else ": the same in libvirt"))

    # What the command line cannot show, from the dumped domain.
    for iface in exported.iter("interface"):
        mac = iface.find("mac").get("address")
        bridge = iface.find("source").get("bridge") if iface.find("source") is not None else None
        back = [i for i in dumped.iter("interface") if i.find("mac").get("address") == mac]
        got = back[0].find("source").get("bridge") if back and back[0].find("source") is not None else None
        report(bool(back) and got == bridge, "NIC %s: bridge %s kept (%s)" % (mac, bridge, got))
    for hostdev in exported.iter("hostdev"):
        if hostdev.get("type") != "pci":
            continue
        src = hostdev.find("source/address").attrib
        match = [h for h in dumped.iter("hostdev") if h.find("source/address") is not None
                 and h.find("source/address").attrib == src]
        report(bool(match) and match[0].get("managed") == "yes",
               "hostdev %s:%s.%s managed='yes' kept" % (src["bus"], src["slot"], src["function"]))
    for hostdev in exported.iter("hostdev"):
        if hostdev.get("type") != "usb":
            continue
        src = ET.tostring(hostdev.find("source"))
        match = [h for h in dumped.iter("hostdev") if h.get("type") == "usb" and ET.tostring(h.find("source")) == src]
        report(bool(match), "USB hostdev %s kept" % " ".join(
            "%s=%s" % (e.tag, e.attrib) for e in hostdev.find("source")))
    for tag in ("loader", "nvram"):
        mine, back = exported.find("os/" + tag), dumped.find("os/" + tag)
        if mine is not None:
            report(back is not None and back.text == mine.text, "%s %s kept" % (tag, mine.text))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
