#!/usr/bin/env python3
"""Holds one vfio-pci device open through its device fd alone, as a stuck VM
process can: the group's /dev/vfio/N is closed again, so no /proc/PID/fd names
it, and vfio-pci's remove of the device waits until this process ends.

  hold-vfio-device.py GROUP ADDRESS    prints 'held' once the device is open
"""
import ctypes
import os
import sys
import time

VFIO_SET_IOMMU = 0x3B66          # _IO(';', 102)
VFIO_GROUP_SET_CONTAINER = 0x3B68
VFIO_GROUP_GET_DEVICE_FD = 0x3B6A
VFIO_TYPE1v2_IOMMU = 3

libc = ctypes.CDLL(None, use_errno=True)


def ioctl(fd, request, arg):
    r = libc.ioctl(fd, request, arg)
    if r < 0:
        e = ctypes.get_errno()
        sys.exit(f"ioctl {request:#x}: {os.strerror(e)}")
    return r


group, address = sys.argv[1], sys.argv[2]
container = os.open("/dev/vfio/vfio", os.O_RDWR)
group_fd = os.open(f"/dev/vfio/{group}", os.O_RDWR)
ioctl(group_fd, VFIO_GROUP_SET_CONTAINER, ctypes.byref(ctypes.c_int(container)))
ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)
device = ioctl(group_fd, VFIO_GROUP_GET_DEVICE_FD, ctypes.c_char_p(address.encode()))
os.close(group_fd)  # the device fd keeps the group; nothing in /proc/PID/fd names it now
print("held", flush=True)
while True:
    time.sleep(3600)
