// node dfuse-download.js ADDRESS FILE: writes FILE at ADDRESS into the first
// 0483:df11 (an STM32 ROM DfuSe bootloader) with node-usb's own libusb, then
// leaves DFU.  The DfuSe requests are ST's AN3156: DNLOAD block 0 carries a
// command (0x21 Set Address Pointer, 0x41 Erase), block n >= 2 writes
// wTransferSize bytes at pointer + (n - 2) * wTransferSize, and each DNLOAD
// is followed by GETSTATUS until the state is no longer dfuDNBUSY (DFU 1.1
// section 6.1.2).  The pages to erase come from alt 0's name, AN3156 4.3's
// "@Name/0xADDR/NN*SSSKg,...".
'use strict';
const usb = require('usb');
const fs = require('fs');
const { promisify } = require('util');

const DNLOAD = 1, GETSTATUS = 3, CLRSTATUS = 4, ABORT = 6;
const DNBUSY = 4, DNIDLE = 5, MANIFEST = 7, ERROR = 10;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main(address, image) {
    const dev = usb.findByIds(0x0483, 0xdf11);
    if (!dev) throw new Error('no 0483:df11');
    dev.open();
    const ctrl = promisify(dev.controlTransfer).bind(dev);
    const intf = dev.interface(0);
    intf.claim();
    await promisify(intf.setAltSetting).bind(intf)(0);
    const alts = dev.configDescriptor.interfaces[0];
    const name = await promisify(dev.getStringDescriptor).bind(dev)(alts[0].iInterface);
    let xfer = 0;   // wTransferSize, from the DFU functional descriptor (type 0x21)
    for (const a of alts)
        if (a.extra.length >= 7 && a.extra[1] === 0x21) xfer = a.extra.readUInt16LE(5);
    if (!xfer) throw new Error('no DFU functional descriptor');

    const status = async () => {
        const s = await ctrl(0xa1, GETSTATUS, 0, 0, 6);
        return { status: s[0], poll: s[1] | (s[2] << 8) | (s[3] << 16), state: s[4] };
    };
    const dnload = async (block, data, what) => {
        await ctrl(0x21, DNLOAD, block, 0, data);
        for (let i = 0; i < 1000; i++) {
            const s = await status();
            if (s.state === DNBUSY) { await sleep(s.poll); continue; }
            if (s.state !== DNIDLE && s.state !== MANIFEST)
                throw new Error(`${what}: status ${s.status} state ${s.state}`);
            return s.state;
        }
        throw new Error(`${what}: still dfuDNBUSY after 1000 GETSTATUS`);
    };
    const command = (op, addr) => {
        const b = Buffer.alloc(5);
        b[0] = op;
        b.writeUInt32LE(addr, 1);
        return dnload(0, b, `${op === 0x41 ? 'erase' : 'set address'} 0x${addr.toString(16)}`);
    };

    if ((await status()).state === ERROR) await ctrl(0x21, CLRSTATUS, 0, 0, Buffer.alloc(0));
    await ctrl(0x21, ABORT, 0, 0, Buffer.alloc(0));
    const [, base, layout] = name.split('/');
    let page = parseInt(base, 16), erased = 0;
    for (const seg of layout.split(',')) {
        const m = /^(\d+)\*(\d+)([ KM])/.exec(seg.trim());
        const size = Number(m[2]) * { ' ': 1, K: 1024, M: 1024 * 1024 }[m[3]];
        for (let n = 0; n < Number(m[1]); n++, page += size)
            if (page + size > address && page < address + image.length) {
                await command(0x41, page);
                erased++;
            }
    }
    await command(0x21, address);
    for (let off = 0, block = 2; off < image.length; off += xfer, block++)
        await dnload(block, image.subarray(off, off + xfer), `block ${block}`);
    await command(0x21, address);
    await ctrl(0x21, DNLOAD, 2, 0, Buffer.alloc(0));   // zero length: leave (AN3156 "Leave DFU mode")
    const names = { 2: 'dfuIDLE', 5: 'dfuDNLOAD-IDLE', 7: 'dfuMANIFEST', 8: 'dfuMANIFEST-WAIT-RESET' };
    const left = await status().then((s) => names[s.state] || `state ${s.state}`, () => 'gone');
    console.log(`dfuse-download: ${name.trim()}: erased ${erased} pages, wrote ${image.length} ` +
                `bytes at 0x${address.toString(16)} in ${xfer}-byte blocks, leave: ${left}`);
    try { dev.close(); } catch (e) { /* the device left the bus */ }
}

main(parseInt(process.argv[2], 16), fs.readFileSync(process.argv[3])).catch((e) => {
    console.error(`dfuse-download: ${e.message}`);
    process.exit(1);
});
