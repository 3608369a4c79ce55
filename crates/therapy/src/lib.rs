//! Products and regimens (standard therapy, plasma from donor to dose, MSCs) and their
//! conversion into dosing events; adverse-event risks.
