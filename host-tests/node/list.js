// Lists every USB device node-usb's own (built-in) libusb sees, one line each:
// "BUS-DEVNUM VVVV:PPPP bcdDevice=XXXX".
'use strict';
const usb = require('usb');
const hex4 = (n) => n.toString(16).padStart(4, '0');
for (const d of usb.getDeviceList()) {
    const dd = d.deviceDescriptor;
    console.log(`${d.busNumber}-${d.deviceAddress} ${hex4(dd.idVendor)}:${hex4(dd.idProduct)} ` +
                `bcdDevice=${hex4(dd.bcdDevice)}`);
}
console.log('listed');
