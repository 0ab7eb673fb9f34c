-- SPDX-License-Identifier: GPL-2.0-or-later
--
-- vstm32-dfuse.lua: a Wireshark / tshark dissector for ST's DfuSe, the
-- DFU 1.1 dialect of the STM32 ROM bootloader (VID:PID 0483:DF11, AN3156).
--
--   tshark -X lua_script:tools/wireshark/vstm32-dfuse.lua -r capture.pcap -Y dfuse
--
-- or copy it into a Wireshark plugin folder (make install-wireshark).  It
-- registers itself in the "usb.product" table for 0483:DF11, so DFU class
-- requests of the ROM are dissected without "Decode As" (Wireshark 4.0's
-- own usbdfu dissector does not list 0483:DF11).  It adds
--
--   dfuse.request       DFU 1.1 request (table 3.2)
--   dfuse.block         wBlockNum of DNLOAD / UPLOAD
--   dfuse.cmd           the DfuSe command byte of DNLOAD block 0 (AN3156 section 6)
--   dfuse.command       the command in words: SET_ADDRESS, ERASE, MASS_ERASE,
--                       READ_UNPROTECT, GET_COMMANDS, WRITE, READ, LEAVE
--   dfuse.address       the target: the command's address, or for block n >= 2
--                       address pointer + (n - 2) x wTransferSize (AN3156)
--   dfuse.length        bytes of a WRITE / READ
--   dfuse.status        bStatus of DFU_GETSTATUS (DFU 1.1 table 6.1)
--   dfuse.poll_timeout  bwPollTimeout in ms (DFU 1.1 6.1.2)
--   dfuse.state         bState of DFU_GETSTATUS / DFU_GETSTATE (DFU 1.1 table 6.2)
--   dfuse.poll_gap      ms from the last bwPollTimeout answer to this request
--   dfuse.poll_early    true when that gap is shorter than bwPollTimeout
--   dfuse.transfer_size wTransferSize in force (from the DFU functional descriptor)
--   dfuse.request_in    the frame of the request an answer belongs to
--
-- The pointer and wTransferSize come from earlier frames, so read the
-- capture from its start (a display filter does not drop them).  The names
-- are those of emulator/dfuse/dfu_spec.c; the tools tier checks they match.

-- Loaded twice (installed as a plugin and given with -X lua_script:), the
-- second copy steps aside: Wireshark refuses a second "dfuse" protocol.
for _, name in ipairs(Dissector.list()) do
    if name == "dfuse" then
        return
    end
end

local dfuse = Proto("dfuse", "STM32 DfuSe (DFU 1.1 + AN3156)")

-- DFU 1.1 section 3, table 3.2
local request_names = {
    [0] = "DFU_DETACH", [1] = "DFU_DNLOAD", [2] = "DFU_UPLOAD", [3] = "DFU_GETSTATUS",
    [4] = "DFU_CLRSTATUS", [5] = "DFU_GETSTATE", [6] = "DFU_ABORT",
}
-- DFU 1.1 section 6.1.2, table 6.2
local state_names = {
    [0] = "appIDLE", [1] = "appDETACH", [2] = "dfuIDLE", [3] = "dfuDNLOAD-SYNC",
    [4] = "dfuDNBUSY", [5] = "dfuDNLOAD-IDLE", [6] = "dfuMANIFEST-SYNC", [7] = "dfuMANIFEST",
    [8] = "dfuMANIFEST-WAIT-RESET", [9] = "dfuUPLOAD-IDLE", [10] = "dfuERROR",
}
-- DFU 1.1 section 6.1.2, table 6.1
local status_names = {
    [0] = "OK", [1] = "errTARGET", [2] = "errFILE", [3] = "errWRITE", [4] = "errERASE",
    [5] = "errCHECK_ERASED", [6] = "errPROG", [7] = "errVERIFY", [8] = "errADDRESS",
    [9] = "errNOTDONE", [10] = "errFIRMWARE", [11] = "errVENDOR", [12] = "errUSBR",
    [13] = "errPOR", [14] = "errUNKNOWN", [15] = "errSTALLEDPKT",
}
-- AN3156 section 6: the command byte of DNLOAD block 0
local cmd_names = { [0x00] = "GET_COMMANDS", [0x21] = "SET_ADDRESS", [0x41] = "ERASE",
                    [0x92] = "READ_UNPROTECT" }

local DNLOAD, UPLOAD, GETSTATUS, GETSTATE = 1, 2, 3, 5

local f = {
    request = ProtoField.uint8("dfuse.request", "Request", base.DEC, request_names),
    block = ProtoField.uint16("dfuse.block", "wBlockNum", base.DEC),
    cmd = ProtoField.uint8("dfuse.cmd", "DfuSe command", base.HEX, cmd_names),
    command = ProtoField.string("dfuse.command", "Command"),
    address = ProtoField.uint32("dfuse.address", "Target address", base.HEX),
    length = ProtoField.uint32("dfuse.length", "Length", base.DEC),
    status = ProtoField.uint8("dfuse.status", "bStatus", base.DEC, status_names),
    poll_timeout = ProtoField.uint24("dfuse.poll_timeout", "bwPollTimeout (ms)", base.DEC),
    state = ProtoField.uint8("dfuse.state", "bState", base.DEC, state_names),
    poll_gap = ProtoField.double("dfuse.poll_gap", "Time since the last bwPollTimeout answer (ms)"),
    poll_early = ProtoField.bool("dfuse.poll_early", "Asked before bwPollTimeout ran out"),
    transfer_size = ProtoField.uint16("dfuse.transfer_size", "wTransferSize", base.DEC),
    request_in = ProtoField.framenum("dfuse.request_in", "Request in", base.NONE,
                                     frametype.REQUEST),
}
dfuse.fields = { f.request, f.block, f.cmd, f.command, f.address, f.length, f.status,
                 f.poll_timeout, f.state, f.poll_gap, f.poll_early, f.transfer_size,
                 f.request_in }

local ex = {
    status = ProtoExpert.new("dfuse.error_status", "DFU error status", expert.group.RESPONSE_CODE,
                             expert.severity.ERROR),
    stall = ProtoExpert.new("dfuse.stall", "Request stalled", expert.group.RESPONSE_CODE,
                            expert.severity.ERROR),
    early = ProtoExpert.new("dfuse.early_poll", "Host asked before bwPollTimeout ran out",
                            expert.group.SEQUENCE, expert.severity.WARN),
}
dfuse.experts = { ex.status, ex.stall, ex.early }

local usb_urb_type = Field.new("usb.urb_type")
local usb_urb_status = Field.new("usb.urb_status")
local usb_bus = Field.new("usb.bus_id")
local usb_dev = Field.new("usb.device_address")
local usb_request_in = Field.new("usb.request_in")
local dfu_transfer_size = Field.new("usbdfu.descriptor.wTransferSize")

-- Per device ("bus.dev"): pointer, wTransferSize, the last bwPollTimeout answer.
local devices = {}
-- Per frame: what was decoded on the first pass, so a second pass shows the same.
local frames = {}

local function device(key)
    local d = devices[key]
    if not d then
        d = {}
        devices[key] = d
    end
    return d
end

local function device_key()
    local b, a = usb_bus(), usb_dev()
    return (b and b.value or 0) .. "." .. (a and a.value or 0)
end

-- A DFU request (the usb layer hands us bRequest, wValue, wIndex, wLength, data).
local function decode_submit(tvb, pinfo, d)
    local r = { submit = true }
    if tvb:len() < 7 then
        return r
    end
    r.request = tvb(0, 1):uint()
    r.block = tvb(1, 2):le_uint()
    r.wlength = tvb(5, 2):le_uint()
    local data = tvb:len() > 7 and tvb(7) or nil
    local tsize = d.transfer_size
    if r.request == DNLOAD and r.wlength == 0 then
        r.command = "LEAVE"
    elseif r.request == DNLOAD and r.block == 0 and data then
        local n = data:len()
        r.cmd = data(0, 1):uint()
        if n == 5 and (r.cmd == 0x21 or r.cmd == 0x41) then
            r.address = data(1, 4):le_uint()
            r.command = cmd_names[r.cmd]
            if r.cmd == 0x21 then
                d.pointer = r.address
            end
        elseif n == 1 and r.cmd == 0x41 then
            r.command = "MASS_ERASE"
        elseif n == 1 and (r.cmd == 0x92 or r.cmd == 0x00) then
            r.command = cmd_names[r.cmd]
        else
            r.command = "unknown"
        end
    elseif (r.request == DNLOAD or r.request == UPLOAD) and r.block >= 2 then
        r.command = r.request == DNLOAD and "WRITE" or "READ"
        r.length = r.wlength
        -- AN3156: address = pointer + (wBlockNum - 2) x wTransferSize
        local size = tsize or r.wlength
        if d.pointer then
            r.address = (d.pointer + (r.block - 2) * size) % 0x100000000
        end
    elseif r.request == UPLOAD and r.block == 0 then
        r.command = "GET_COMMANDS"
    end
    r.transfer_size = tsize
    -- DFU 1.1 6.1.2: the host waits bwPollTimeout before it asks again
    if d.last_poll and d.last_poll.ms > 0 then
        r.poll_gap = (pinfo.abs_ts - d.last_poll.t) * 1000
        r.poll_early = r.poll_gap < d.last_poll.ms
        d.last_poll = nil
    end
    return r
end

-- An answer: the completion of the request in frame request_in.
local function decode_completion(tvb, pinfo, d, req)
    local r = { submit = false, request_in = req and req.frame or nil }
    if not req then
        return r
    end
    r.request, r.block, r.info = req.request, req.block, req.command
    if req.command == "READ" then
        r.command, r.address = req.command, req.address   -- the data is in the answer
    end
    local st = usb_urb_status()
    r.urb_status = st and st.value or 0
    if r.request == GETSTATUS and tvb:len() >= 6 then
        r.status = tvb(0, 1):uint()
        r.poll_timeout = tvb(1, 3):le_uint()
        r.state = tvb(4, 1):uint()
        d.last_poll = { t = pinfo.abs_ts, ms = r.poll_timeout }
    elseif r.request == GETSTATE and tvb:len() >= 1 then
        r.state = tvb(0, 1):uint()
    elseif r.request == UPLOAD and r.command == "READ" then
        r.length = tvb:len()
    end
    return r
end

local function show(r, tvb, pinfo, tree)
    local t = tree:add(dfuse, tvb(), "STM32 DfuSe")
    local info = {}
    if r.request then
        t:add(f.request, r.request):set_generated()
        info[#info + 1] = request_names[r.request] or ("request " .. r.request)
    end
    if r.request_in then
        t:add(f.request_in, r.request_in):set_generated()
    end
    if r.block and (r.request == DNLOAD or r.request == UPLOAD) then
        t:add(f.block, r.block):set_generated()
    end
    if r.cmd then
        t:add(f.cmd, tvb(7, 1), r.cmd)
    end
    if r.command then
        t:add(f.command, r.command):set_generated()
    end
    if r.command or r.info then
        info[#info + 1] = r.command or r.info
    end
    if r.address then
        t:add(f.address, r.address):set_generated()
        info[#info + 1] = string.format("0x%08X", r.address)
    end
    if r.length then
        t:add(f.length, r.length):set_generated()
        info[#info + 1] = r.length .. " bytes"
    end
    if r.transfer_size then
        t:add(f.transfer_size, r.transfer_size):set_generated()
    end
    if r.poll_gap then
        t:add(f.poll_gap, r.poll_gap):set_generated()
        local e = t:add(f.poll_early, r.poll_early):set_generated()
        if r.poll_early then
            e:add_proto_expert_info(ex.early)
        end
    end
    if r.status then
        local s = t:add(f.status, tvb(0, 1))
        t:add_le(f.poll_timeout, tvb(1, 3))
        t:add(f.state, tvb(4, 1))
        info[#info + 1] = string.format("= %s, %s, poll %d ms", status_names[r.status] or r.status,
                                        state_names[r.state] or r.state, r.poll_timeout)
        if r.status ~= 0 then
            s:add_proto_expert_info(ex.status)
        end
    elseif r.state then
        t:add(f.state, tvb(0, 1))
        info[#info + 1] = "= " .. (state_names[r.state] or r.state)
    end
    if r.urb_status and r.urb_status == -32 then
        t:add_proto_expert_info(ex.stall)
        info[#info + 1] = "STALL"
    end
    pinfo.cols.protocol = "DfuSe"
    pinfo.cols.info = (r.submit and "" or "Response: ") .. table.concat(info, " ")
end

function dfuse.dissector(tvb, pinfo, tree)
    local r = frames[pinfo.number]
    if not pinfo.visited or not r then
        local d = device(device_key())
        local ut = usb_urb_type()
        local submit = ut and (ut.value == "S" or ut.value == 83)
        if submit then
            r = decode_submit(tvb, pinfo, d)
            r.frame = pinfo.number
            d.pending = d.pending or {}
            d.pending[pinfo.number] = r
        else
            local ri = usb_request_in()
            local req = ri and d.pending and d.pending[ri.value] or nil
            r = decode_completion(tvb, pinfo, d, req)
            if req then
                d.pending[ri.value] = nil   -- answered: the frame keeps what it needs
            end
        end
        frames[pinfo.number] = r
    end
    show(r, tvb, pinfo, tree)
    return tvb:len()
end

-- wTransferSize is in the configuration descriptor, which the usb layer
-- dissects (with usbdfu's functional-descriptor fields) in frames this
-- dissector is not called for: a post-dissector keeps it per device.
local dfuse_desc = Proto("dfuse_desc", "DfuSe descriptor tracker")
function dfuse_desc.dissector(tvb, pinfo, tree)
    local ts = dfu_transfer_size()
    if ts and not pinfo.visited then
        device(device_key()).transfer_size = ts.value
    end
end
register_postdissector(dfuse_desc)

function dfuse.init()
    devices = {}
    frames = {}
end

-- AN3156: the ROM bootloader's VID:PID
DissectorTable.get("usb.product"):add(0x0483df11, dfuse)
