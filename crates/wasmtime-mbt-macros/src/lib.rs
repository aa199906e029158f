//! Derive macros for `wasmtime_mbt::component`, as `wasmtime`'s
//! `#[derive(ComponentType, Lift, Lower)]`: a struct with
//! `#[component(record)]`, an enum with `#[component(variant)]` (cases with
//! at most one unnamed field) or `#[component(enum)]` (cases without
//! fields). `#[component(name = "…")]` on a field or case gives its
//! component-model name (by default the Rust name as written);
//! `#[component(wasmtime_crate = path)]` on the type, the crate's path.
//!
//! Also `flags!`, as `wasmtime::component::flags!`: a bit-set type for a
//! component `flags` type.
//!
//! Use them through `wasmtime_mbt::component::{ComponentType, Lift, Lower, flags}`.
//! The generated code names the crate `::wasmtime_mbt`, or `::wasmtime` when
//! the deriving crate's manifest renames the dependency
//! (`wasmtime = { package = "wasmtime-mbt", … }`, the drop-in rename).

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{braced, parse_macro_input, Attribute, Data, DeriveInput, Fields, Ident, LitStr, Token};

enum Style {
    Record,
    Variant,
    Enum,
}

/// The `component` attributes: the style and crate path (on the type) or
/// the name (on a field or case).
fn component_attr(attrs: &[Attribute]) -> syn::Result<(Option<Style>, Option<String>, Option<syn::Path>)> {
    let (mut style, mut name, mut krate) = (None, None, None);
    for attr in attrs.iter().filter(|a| a.path().is_ident("component")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("record") {
                style = Some(Style::Record);
            } else if meta.path.is_ident("variant") {
                style = Some(Style::Variant);
            } else if meta.path.is_ident("enum") {
                style = Some(Style::Enum);
            } else if meta.path.is_ident("name") {
                name = Some(meta.value()?.parse::<LitStr>()?.value());
            } else if meta.path.is_ident("wasmtime_crate") {
                krate = Some(meta.value()?.parse::<syn::Path>()?);
            } else {
                return Err(meta.error("expected `record`, `variant`, `enum`, `wasmtime_crate = path` or `name = \"…\"`"));
            }
            Ok(())
        })?;
    }
    Ok((style, name, krate))
}

/// The path of the `wasmtime_mbt` crate in the deriving crate:
/// `::wasmtime` when the manifest renames the dependency to that name (the
/// drop-in rename), else `::wasmtime_mbt`.
fn krate() -> Tokens {
    let manifest = std::env::var("CARGO_MANIFEST_DIR")
        .ok()
        .and_then(|dir| std::fs::read_to_string(std::path::Path::new(&dir).join("Cargo.toml")).ok())
        .unwrap_or_default();
    let renamed = manifest.lines().any(|l| {
        let l = l.replace(' ', "");
        l.starts_with("wasmtime=") && l.contains("package=\"wasmtime-mbt\"")
    });
    if renamed {
        quote!(::wasmtime)
    } else {
        quote!(::wasmtime_mbt)
    }
}

/// The three impls (`which` selects), for every style.
fn expand(input: DeriveInput, which: &str) -> syn::Result<Tokens> {
    let name = &input.ident;
    let (style, _, path) = component_attr(&input.attrs)?;
    let k = path.map_or_else(krate, |p| quote!(#p));
    let i = quote!(#k::component::__internal);
    let style = style.ok_or_else(|| syn::Error::new_spanned(name, "expected `#[component(record)]`, `#[component(variant)]` or `#[component(enum)]`"))?;
    let (typecheck, lower, lift) = match (&input.data, style) {
        (Data::Struct(s), Style::Record) => {
            let Fields::Named(fields) = &s.fields else {
                return Err(syn::Error::new_spanned(name, "a record needs named fields"));
            };
            let mut names = Vec::new();
            let mut idents = Vec::new();
            let mut tys = Vec::new();
            for f in &fields.named {
                let (_, rename, _) = component_attr(&f.attrs)?;
                let ident = f.ident.clone().expect("named");
                names.push(rename.unwrap_or_else(|| ident.to_string()));
                idents.push(ident);
                tys.push(f.ty.clone());
            }
            (
                quote!(#i::typecheck_record(ty, &[#((#names, <#tys as #i::ComponentType>::typecheck as fn(&#i::Type) -> #i::Result<()>)),*])),
                quote!(::core::result::Result::Ok(#i::Val::Record(::std::vec![#((::std::string::String::from(#names), #i::Lower::to_val(&self.#idents, store)?)),*]))),
                quote!({
                    let mut fields = #i::record_fields(val, &[#(#names),*])?;
                    ::core::result::Result::Ok(#name { #(#idents: #i::Lift::from_val(fields.next().expect("checked"), store)?),* })
                }),
            )
        }
        (Data::Enum(e), Style::Variant) => {
            let mut names = Vec::new();
            let mut checks = Vec::new();
            let mut lowers = Vec::new();
            let mut lifts = Vec::new();
            for v in &e.variants {
                let (_, rename, _) = component_attr(&v.attrs)?;
                let case = rename.unwrap_or_else(|| v.ident.to_string());
                let ident = &v.ident;
                match &v.fields {
                    Fields::Unit => {
                        checks.push(quote!((#case, ::core::option::Option::None)));
                        lowers.push(quote!(#name::#ident => (#case, ::core::option::Option::None)));
                        lifts.push(quote!(#case => #name::#ident));
                    }
                    Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                        let ty = &f.unnamed[0].ty;
                        checks.push(quote!((#case, ::core::option::Option::Some(<#ty as #i::ComponentType>::typecheck as fn(&#i::Type) -> #i::Result<()>))));
                        lowers.push(quote!(#name::#ident(x) => (#case, ::core::option::Option::Some(::std::boxed::Box::new(#i::Lower::to_val(x, store)?)))));
                        lifts.push(quote!(#case => #name::#ident(#i::Lift::from_val(*#i::payload(payload)?, store)?)));
                    }
                    _ => return Err(syn::Error::new_spanned(v, "a variant case has no field or one unnamed field")),
                }
                names.push(case);
            }
            (
                quote!(#i::typecheck_variant(ty, &[#(#checks),*])),
                quote!({
                    let (case, payload): (&str, ::core::option::Option<::std::boxed::Box<#i::Val>>) = match self { #(#lowers),* };
                    ::core::result::Result::Ok(#i::Val::Variant(::std::string::String::from(case), payload))
                }),
                quote!({
                    let (case, payload) = #i::variant_parts(val)?;
                    ::core::result::Result::Ok(match case.as_str() {
                        #(#lifts,)*
                        other => return ::core::result::Result::Err(#i::unknown_case(other)),
                    })
                }),
            )
        }
        (Data::Enum(e), Style::Enum) => {
            let mut names = Vec::new();
            let mut idents = Vec::new();
            for v in &e.variants {
                if !matches!(v.fields, Fields::Unit) {
                    return Err(syn::Error::new_spanned(v, "an enum case has no fields"));
                }
                let (_, rename, _) = component_attr(&v.attrs)?;
                names.push(rename.unwrap_or_else(|| v.ident.to_string()));
                idents.push(v.ident.clone());
            }
            (
                quote!(#i::typecheck_enum(ty, &[#(#names),*])),
                quote!(::core::result::Result::Ok(#i::Val::Enum(::std::string::String::from(match self { #(#name::#idents => #names),* })))),
                quote!({
                    let case = #i::enum_name(val)?;
                    ::core::result::Result::Ok(match case.as_str() {
                        #(#names => #name::#idents,)*
                        other => return ::core::result::Result::Err(#i::unknown_case(other)),
                    })
                }),
            )
        }
        _ => return Err(syn::Error::new_spanned(name, "`record` is for structs, `variant` and `enum` for enums")),
    };
    let (impl_g, ty_g, where_g) = input.generics.split_for_impl();
    Ok(match which {
        "ComponentType" => quote! {
            impl #impl_g #i::Sealed for #name #ty_g #where_g {}
            // SAFETY: the value conversions are checked at run time.
            unsafe impl #impl_g #i::ComponentType for #name #ty_g #where_g {
                fn typecheck(ty: &#i::Type) -> #i::Result<()> { #typecheck }
            }
        },
        "Lower" => quote! {
            // SAFETY: as above.
            unsafe impl #impl_g #i::Lower for #name #ty_g #where_g {
                fn to_val(&self, store: &#i::StoreOpaque) -> #i::Result<#i::Val> { #lower }
            }
        },
        _ => quote! {
            // SAFETY: as above.
            unsafe impl #impl_g #i::Lift for #name #ty_g #where_g {
                fn from_val(val: #i::Val, store: &#i::StoreOpaque) -> #i::Result<Self> {
                    let _ = store;
                    #lift
                }
            }
        },
    })
}

fn derive(input: TokenStream, which: &str) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(input, which).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Implements `ComponentType` (the type check) for a record, variant or enum.
#[proc_macro_derive(ComponentType, attributes(component))]
pub fn component_type(input: TokenStream) -> TokenStream {
    derive(input, "ComponentType")
}

/// Implements `Lower` (host → component).
#[proc_macro_derive(Lower, attributes(component))]
pub fn lower(input: TokenStream) -> TokenStream {
    derive(input, "Lower")
}

/// Implements `Lift` (component → host).
#[proc_macro_derive(Lift, attributes(component))]
pub fn lift(input: TokenStream) -> TokenStream {
    derive(input, "Lift")
}

/// One `#[component(name = "…")] const NAME;` of `flags!`.
struct Flag {
    rename: Option<String>,
    name: Ident,
}

impl Parse for Flag {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = Attribute::parse_outer(input)?;
        let (_, rename, _) = component_attr(&attrs)?;
        input.parse::<Token![const]>()?;
        Ok(Flag { rename, name: input.parse()? })
    }
}

/// `Name { flag; … }`, the input of `flags!`.
struct FlagsInput {
    name: Ident,
    flags: Vec<Flag>,
}

impl Parse for FlagsInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name = input.parse()?;
        let content;
        braced!(content in input);
        let flags = content.parse_terminated(Flag::parse, Token![;])?.into_iter().collect();
        Ok(FlagsInput { name, flags })
    }
}

/// Defines a bit-set type for a component `flags` type, as
/// `wasmtime::component::flags!`: one associated constant per flag, `empty`,
/// `all`, `contains`, `intersects`, `as_array`, the bit operators, and
/// `ComponentType`/`Lift`/`Lower`.
#[proc_macro]
pub fn flags(input: TokenStream) -> TokenStream {
    let FlagsInput { name, flags } = parse_macro_input!(input as FlagsInput);
    let k = krate();
    let i = quote!(#k::component::__internal);
    let count = flags.len();
    // As `wasmtime`: no word for no flags, else one `u32` per 32 flags.
    let words = count.div_ceil(32);
    let consts = flags.iter().enumerate().map(|(n, f)| {
        let ident = &f.name;
        let bits = (0..words).map(|w| if n / 32 == w { 1u32 << (n % 32) } else { 0 });
        quote!(pub const #ident: Self = Self { __inner: [#(#bits),*] };)
    });
    let rust_names: Vec<String> = flags.iter().map(|f| f.name.to_string()).collect();
    let names: Vec<String> = flags.iter().map(|f| f.rename.clone().unwrap_or_else(|| f.name.to_string())).collect();
    let masks: Vec<u32> = (0..words).map(|w| if w + 1 < words || count % 32 == 0 { u32::MAX } else { !(u32::MAX << (count % 32)) }).collect();
    let op = |tr: Tokens, method: Tokens, assign: Tokens, assign_method: Tokens, sym: Tokens| {
        quote! {
            impl ::core::ops::#tr for #name {
                type Output = #name;
                fn #method(self, rhs: #name) -> #name {
                    let mut out = self;
                    for (a, b) in out.__inner.iter_mut().zip(rhs.__inner) {
                        *a = *a #sym b;
                    }
                    out
                }
            }
            impl ::core::ops::#assign for #name {
                fn #assign_method(&mut self, rhs: #name) {
                    *self = ::core::ops::#tr::#method(*self, rhs);
                }
            }
        }
    };
    let bitor = op(quote!(BitOr), quote!(bitor), quote!(BitOrAssign), quote!(bitor_assign), quote!(|));
    let bitand = op(quote!(BitAnd), quote!(bitand), quote!(BitAndAssign), quote!(bitand_assign), quote!(&));
    let bitxor = op(quote!(BitXor), quote!(bitxor), quote!(BitXorAssign), quote!(bitxor_assign), quote!(^));
    quote! {
        #[derive(Copy, Clone, Default)]
        pub struct #name {
            #[doc(hidden)]
            __inner: [u32; #words],
        }

        impl #name {
            #(#consts)*

            /// The flags as bits, 32 to a word.
            pub fn as_array(&self) -> [u32; #words] {
                self.__inner
            }

            /// No flag set.
            pub fn empty() -> Self {
                Self::default()
            }

            /// Every flag set.
            pub fn all() -> Self {
                !Self::default()
            }

            /// Whether every flag of `other` is set in `self`.
            pub fn contains(&self, other: Self) -> bool {
                *self & other == other
            }

            /// Whether any flag of `other` is set in `self`.
            pub fn intersects(&self, other: Self) -> bool {
                *self & other != Self::empty()
            }
        }

        impl ::core::cmp::PartialEq for #name {
            fn eq(&self, rhs: &#name) -> bool {
                const MASKS: [u32; #words] = [#(#masks),*];
                (0..#words).all(|w| self.__inner[w] & MASKS[w] == rhs.__inner[w] & MASKS[w])
            }
        }

        impl ::core::cmp::Eq for #name {}

        impl ::core::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter) -> ::core::fmt::Result {
                #i::format_flags(&self.__inner, &[#(#rust_names),*], f)
            }
        }

        #bitor
        #bitand
        #bitxor

        impl ::core::ops::Not for #name {
            type Output = #name;
            fn not(self) -> #name {
                let mut out = self;
                for a in out.__inner.iter_mut() {
                    *a = !*a;
                }
                out
            }
        }

        impl #i::Sealed for #name {}
        // SAFETY: the value conversions are checked at run time.
        unsafe impl #i::ComponentType for #name {
            fn typecheck(ty: &#i::Type) -> #i::Result<()> {
                #i::typecheck_flags(ty, &[#(#names),*])
            }
        }
        // SAFETY: as above.
        unsafe impl #i::Lower for #name {
            fn to_val(&self, _store: &#i::StoreOpaque) -> #i::Result<#i::Val> {
                ::core::result::Result::Ok(#i::flags_val(&self.__inner, &[#(#names),*]))
            }
        }
        // SAFETY: as above.
        unsafe impl #i::Lift for #name {
            fn from_val(val: #i::Val, _store: &#i::StoreOpaque) -> #i::Result<Self> {
                let mut out = Self::default();
                #i::flags_bits(val, &[#(#names),*], &mut out.__inner)?;
                ::core::result::Result::Ok(out)
            }
        }
    }
    .into()
}
