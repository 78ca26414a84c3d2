#!/usr/bin/env python3
"""A virtual keyboard through the kernel's uinput, for the input suite.

   uinput-keyboard.py FIFO

Creates the evdev device 'vmrun-test-keyboard', then reads key codes (Linux
KEY_* numbers, one per line) from FIFO and presses and releases each. Ends,
destroying the device, when the FIFO's writer closes it."""
import fcntl
import os
import struct
import sys

UI_SET_EVBIT = 0x40045564
UI_SET_KEYBIT = 0x40045565
UI_DEV_CREATE = 0x5501
UI_DEV_DESTROY = 0x5502
EV_SYN, EV_KEY = 0, 1
BUS_USB = 0x03


def event(fd, type_, code, value):
    # struct input_event on 64-bit: struct timeval (2 x long), __u16 type, __u16 code, __s32 value
    os.write(fd, struct.pack("llHHi", 0, 0, type_, code, value))


def main():
    fd = os.open("/dev/uinput", os.O_WRONLY)
    fcntl.ioctl(fd, UI_SET_EVBIT, EV_KEY)
    for code in range(1, 128):
        fcntl.ioctl(fd, UI_SET_KEYBIT, code)
    # struct uinput_user_dev: name[80], struct input_id (4 x __u16), ff_effects_max, absmax/absmin/absfuzz/absflat[64]
    os.write(fd, struct.pack("80sHHHHi", b"vmrun-test-keyboard", BUS_USB, 0x1209, 0x0001, 1, 0) + bytes(4 * 64 * 4))
    fcntl.ioctl(fd, UI_DEV_CREATE)
    print("created", flush=True)
    with open(sys.argv[1]) as keys:
        for line in keys:
            code = int(line)
            event(fd, EV_KEY, code, 1)
            event(fd, EV_SYN, 0, 0)
            event(fd, EV_KEY, code, 0)
            event(fd, EV_SYN, 0, 0)
            print("typed", code, flush=True)
    fcntl.ioctl(fd, UI_DEV_DESTROY)


main()
